import type { Contents, ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

/**
 * A contents drive whose files can be opened but never written: executed notebooks of runs,
 * past versions from git. Subclasses say how to read (`get`, `getDownloadUrl`); every write is
 * refused with `readOnlyMessage`, which JupyterLab shows when a user tries to save.
 */
export abstract class ReadOnlyDrive implements Contents.IDrive {
  constructor(
    readonly name: string,
    readonly serverSettings: ServerConnection.ISettings,
    private readonly _readOnlyMessage: string
  ) {}

  get fileChanged(): ISignal<Contents.IDrive, Contents.IChangedArgs> {
    return this._fileChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  abstract get(localPath: string, options?: Contents.IFetchOptions): Promise<Contents.IModel>;

  abstract getDownloadUrl(localPath: string): Promise<string>;

  newUntitled(): Promise<Contents.IModel> {
    return this._readOnly();
  }

  delete(): Promise<void> {
    return this._readOnly();
  }

  rename(): Promise<Contents.IModel> {
    return this._readOnly();
  }

  save(): Promise<Contents.IModel> {
    return this._readOnly();
  }

  copy(): Promise<Contents.IModel> {
    return this._readOnly();
  }

  createCheckpoint(): Promise<Contents.ICheckpointModel> {
    return this._readOnly();
  }

  async listCheckpoints(): Promise<Contents.ICheckpointModel[]> {
    return [];
  }

  restoreCheckpoint(): Promise<void> {
    return this._readOnly();
  }

  deleteCheckpoint(): Promise<void> {
    return this._readOnly();
  }

  /** The API URL of a path (`<base>/conveyor/api/v1/<path>`), for downloads. */
  protected apiUrl(path: string): string {
    return `${this.serverSettings.baseUrl.replace(/\/$/, '')}/conveyor/api/v1/${path}`;
  }

  private _readOnly<T>(): Promise<T> {
    return Promise.reject(new Error(this._readOnlyMessage));
  }

  private _fileChanged = new Signal<Contents.IDrive, Contents.IChangedArgs>(this);
  private _isDisposed = false;
}
