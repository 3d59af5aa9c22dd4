import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { Run, RunList, RunStep } from '../../schema/generated/api';
import type { ILogChannel } from '../runs/logs';
import { RunModel } from '../runs/runmodel';
import type { Fetcher } from './model';

/**
 * The run an editor shows on its canvas: submitted from it (the saved file, as the CLI would
 * run it) and followed live through the runs feature's RunModel (websocket events, step logs).
 */
export class EditorRun implements IDisposable {
  constructor(options: EditorRun.IOptions) {
    this._fetch = options.requestAPI;
    this._channel = options.channel;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The followed run (null before the first Run). */
  get run(): Run | null {
    return this._model?.run ?? null;
  }

  get model(): RunModel | null {
    return this._model;
  }

  get submitting(): boolean {
    return this._submitting;
  }

  /** A step of the followed run, by name. */
  step(name: string): RunStep | null {
    return this.run?.steps.find(s => s.name === name) ?? null;
  }

  /** Submit the pipeline file (workspace-relative) as a run, and follow it. */
  async submit(pipelinePath: string): Promise<Run> {
    this._submitting = true;
    this._changed.emit();
    try {
      const run = await this._fetch<Run>('runs', {
        method: 'POST',
        body: JSON.stringify({ pipelinePath }),
        headers: { 'Content-Type': 'application/json' }
      });
      this.follow(run.id);
      return run;
    } finally {
      this._submitting = false;
      this._changed.emit();
    }
  }

  /**
   * Follow the newest run of this pipeline file, if any (reopening the editor shows the last
   * statuses). Runs are searched by the pipeline's name, then matched on their source path.
   */
  async followLatest(pipelinePath: string, pipelineName: string): Promise<void> {
    if (this._model) {
      return;
    }
    try {
      const list = await this._fetch<RunList>(`runs?q=${encodeURIComponent(pipelineName)}&limit=50`);
      const latest = list.runs.find(r => r.source?.path === pipelinePath);
      if (latest && !this._model && !this._isDisposed) {
        this.follow(latest.id);
      }
    } catch {
      // No runs to show: the canvas simply has no statuses.
    }
  }

  /** Follow an existing run. */
  follow(id: string): void {
    this._model?.dispose();
    this._model = new RunModel({ id, requestAPI: this._fetch, channel: this._channel });
    this._model.changed.connect(() => this._changed.emit(), this);
    void this._model.refresh();
    this._changed.emit();
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._model?.dispose();
    Signal.clearData(this);
  }

  private _changed = new Signal<this, void>(this);
  private _channel: ILogChannel;
  private _fetch: Fetcher;
  private _isDisposed = false;
  private _model: RunModel | null = null;
  private _submitting = false;
}

export namespace EditorRun {
  export interface IOptions {
    requestAPI: Fetcher;
    channel: ILogChannel;
  }
}
