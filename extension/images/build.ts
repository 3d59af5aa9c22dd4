import type { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import type { ImageBuild, ImageBuildLog, ServerEvent } from '../../schema/generated/api';

export type Fetcher = <T = unknown>(path: string, init?: RequestInit) => Promise<T>;
export type BuildStatus = ImageBuild['status'];

/**
 * One custom image build followed live: `build` websocket events append log lines as they
 * come; a poll of the log route fills any gap (a missed event, a page opened mid-build).
 */
export class BuildModel implements IDisposable {
  constructor(options: BuildModel.IOptions) {
    this.id = options.id;
    this._fetch = options.requestAPI;
    this._events = options.events ?? null;
    this._poll = new Poll({
      auto: options.autoStart ?? true,
      factory: () => this._load(),
      frequency: { interval: options.pollInterval ?? 2000, backoff: true, max: 30_000 },
      name: `jupyterlab-conveyor:build-${options.id}`,
      standby: 'when-hidden'
    });
    this._events?.connect(this._onEvent, this);
  }

  readonly id: string;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get lines(): readonly string[] {
    return this._lines;
  }

  get status(): BuildStatus {
    return this._status;
  }

  get finished(): boolean {
    return this._status === 'succeeded' || this._status === 'failed';
  }

  /** The resulting image reference (`<registry>/users/<me>/<name>:<tag>`), once known. */
  get ref(): string {
    return this._build?.ref ?? this._ref;
  }

  get build(): ImageBuild | null {
    return this._build;
  }

  get error(): string | null {
    return this._error;
  }

  /**
   * Progress as a fraction from the build's `Step n/m` (or `[n/m]`) lines, else `null`.
   */
  get progress(): number | null {
    if (this._status === 'succeeded') {
      return 1;
    }
    return stepProgress(this._lines);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  async refresh(): Promise<void> {
    await this._poll.refresh();
    await this._poll.tick.catch(() => undefined);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    this._events?.disconnect(this._onEvent, this);
    Signal.clearData(this);
  }

  /** Apply lines starting at index `from` of the log (overlaps are skipped). */
  private _append(from: number, lines: readonly string[]): boolean {
    if (from > this._lines.length) {
      return false; // a gap: the poll fetches it
    }
    const fresh = lines.slice(this._lines.length - from);
    if (fresh.length) {
      this._lines = [...this._lines, ...fresh];
    }
    return fresh.length > 0;
  }

  private async _load(): Promise<void> {
    try {
      const log = await this._fetch<ImageBuildLog>(
        `images/builds/${encodeURIComponent(this.id)}/log?from=${this._lines.length}`
      );
      if (this._isDisposed) {
        return;
      }
      this._append(log.from, log.lines);
      this._status = log.status;
      if (this.finished && !this._build) {
        this._build = await this._fetch<ImageBuild>(
          `images/builds/${encodeURIComponent(this.id)}`
        ).catch(() => null);
        this._error = this._build?.error ?? this._error;
      }
    } catch (error) {
      this._error = error instanceof Error ? error.message : String(error);
      this._changed.emit();
      throw error;
    }
    this._changed.emit();
    if (this.finished) {
      this._poll.dispose(); // nothing more will come
    }
  }

  private _onEvent(_: unknown, event: ServerEvent): void {
    if (event.type !== 'build' || event.buildId !== this.id) {
      return;
    }
    const added = this._append(event.from, event.lines);
    if (event.from > this._lines.length) {
      void this._poll.refresh();
    }
    const statusChanged = event.status !== this._status;
    this._status = event.status;
    if (event.ref) {
      this._ref = event.ref;
    }
    if (event.error) {
      this._error = event.error;
    }
    if (statusChanged && this.finished) {
      void this._poll.refresh(); // fetch the build record (digest, tag)
    }
    if (added || statusChanged) {
      this._changed.emit();
    }
  }

  private _build: ImageBuild | null = null;
  private _changed = new Signal<this, void>(this);
  private _error: string | null = null;
  private _events: ISignal<unknown, ServerEvent> | null;
  private _fetch: Fetcher;
  private _isDisposed = false;
  private _lines: string[] = [];
  private _poll: Poll;
  private _ref = '';
  private _status: BuildStatus = 'building';
}

export namespace BuildModel {
  export interface IOptions {
    id: string;
    requestAPI: Fetcher;
    events?: ISignal<unknown, ServerEvent>;
    pollInterval?: number;
    autoStart?: boolean;
  }
}

/**
 * The latest `Step n/m` or `[n/m]` of a build log as a fraction (`null` when there is none).
 */
export function stepProgress(lines: readonly string[]): number | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = /(?:^|\s|\[)(?:Step\s+)?(\d+)\s*\/\s*(\d+)(?:\]|\s*:|\s)/i.exec(lines[i]);
    if (match) {
      const [n, m] = [Number(match[1]), Number(match[2])];
      if (m > 0 && n <= m) {
        return (n - 1) / m;
      }
    }
  }
  return null;
}
