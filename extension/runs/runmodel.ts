import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { Run, RunStep, ServerEvent } from '../../schema/generated/api';
import { isFinished } from './format';
import { ILogChannel, LogSubscription } from './logs';
import type { Fetcher } from './model';

/**
 * One run as its view shows it: the run with its steps, the selected step and that step's live
 * log. Reloaded on the run's websocket events.
 */
export class RunModel implements IDisposable {
  constructor(options: RunModel.IOptions) {
    this.id = options.id;
    this._fetch = options.requestAPI;
    this._channel = options.channel;
    this._channel.events.connect(this._onEvent, this);
  }

  readonly id: string;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get run(): Run | null {
    return this._run;
  }

  get error(): string | null {
    return this._error;
  }

  get selectedStep(): RunStep | null {
    return this._run?.steps.find(s => s.name === this._selected) ?? null;
  }

  get log(): LogSubscription | null {
    return this._log;
  }

  get canCancel(): boolean {
    return !!this._run && !isFinished(this._run.status);
  }

  get canResume(): boolean {
    return this._run?.status === 'failed' || this._run?.status === 'cancelled';
  }

  get canRerun(): boolean {
    return !!this._run && isFinished(this._run.status);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  async refresh(): Promise<void> {
    try {
      const run = await this._fetch<Run>(`runs/${encodeURIComponent(this.id)}`);
      if (this.isDisposed) {
        return;
      }
      this._run = run;
      this._error = null;
      if (!this._selected || !run.steps.some(s => s.name === this._selected)) {
        // Select the failing step, else the running one, else the first.
        const pick =
          run.steps.find(s => s.status === 'failed') ??
          run.steps.find(s => s.status === 'running') ??
          run.steps[0];
        if (pick) {
          this.selectStep(pick.name);
        }
      }
    } catch (error) {
      if (this.isDisposed) {
        return;
      }
      this._error = error instanceof Error ? error.message : String(error);
    }
    this._changed.emit();
  }

  selectStep(name: string): void {
    if (name === this._selected && this._log) {
      return;
    }
    this._selected = name;
    this._log?.dispose();
    this._log = new LogSubscription({ channel: this._channel, runId: this.id, step: name });
    this._changed.emit();
  }

  cancel(): Promise<Run> {
    return this._post('cancel');
  }

  resume(): Promise<Run> {
    return this._post('resume');
  }

  rerun(cache?: boolean): Promise<Run> {
    return this._post('rerun', cache === undefined ? {} : { cache });
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    window.clearTimeout(this._timer);
    this._log?.dispose();
    this._channel.events.disconnect(this._onEvent, this);
    Signal.clearData(this);
  }

  private async _post(action: string, body?: unknown): Promise<Run> {
    const run = await this._fetch<Run>(`runs/${encodeURIComponent(this.id)}/${action}`, {
      method: 'POST',
      body: JSON.stringify(body ?? {}),
      headers: { 'Content-Type': 'application/json' }
    });
    void this.refresh();
    return run;
  }

  private _onEvent(_: unknown, event: ServerEvent): void {
    if (event.type !== 'run' || event.runId !== this.id) {
      return;
    }
    window.clearTimeout(this._timer);
    this._timer = window.setTimeout(() => void this.refresh(), 150);
  }

  private _changed = new Signal<this, void>(this);
  private _channel: ILogChannel;
  private _error: string | null = null;
  private _fetch: Fetcher;
  private _isDisposed = false;
  private _log: LogSubscription | null = null;
  private _run: Run | null = null;
  private _selected: string | null = null;
  private _timer = 0;
}

export namespace RunModel {
  export interface IOptions {
    id: string;
    requestAPI: Fetcher;
    channel: ILogChannel;
  }
}
