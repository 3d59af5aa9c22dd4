import type { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { Signal, type ISignal } from '@lumino/signaling';

/**
 * What every polled sidebar section model shares (runs, images, resources): a `Poll` that
 * stands by while the section is hidden or the page is, `loading`/`error` state, a `changed`
 * signal, debounced refreshes for server events, and disposal. Subclasses implement `load()`
 * (throw to let the poll back off) and emit `_changed` when their own state changes.
 */
export abstract class SectionModel implements IDisposable {
  constructor(options: SectionModel.IOptions) {
    this._poll = new Poll({
      auto: options.autoStart ?? true,
      factory: () => this.load(),
      frequency: { interval: options.interval, backoff: true, max: options.max },
      name: options.name,
      standby: () => !this._visible || 'when-hidden'
    });
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Whether a load is under way. */
  get loading(): boolean {
    return this._loading;
  }

  /** The last load error (the server's message), else `null`. */
  get error(): string | null {
    return this._error;
  }

  /** Whether the section is shown; the poll stands by while it is not. */
  get visible(): boolean {
    return this._visible;
  }
  set visible(visible: boolean) {
    if (visible === this._visible) {
      return;
    }
    this._visible = visible;
    if (visible) {
      void this.refresh();
    }
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Starts polling (when created with `autoStart: false`). */
  start(): void {
    void this._poll.start();
  }

  /** Loads now; resolves once the load is applied. */
  async refresh(): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    await this._poll.refresh();
    await this._poll.tick.catch(() => undefined);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    window.clearTimeout(this._timer);
    this._poll.dispose();
    this.onDispose();
    Signal.clearData(this);
  }

  protected abstract load(): Promise<void>;

  /** Disconnect what the subclass connected. */
  protected onDispose(): void {
    // Nothing by default.
  }

  /** Refresh after `delay` ms, once for a burst of calls (server events come in bursts). */
  protected refreshSoon(delay: number): void {
    window.clearTimeout(this._timer);
    this._timer = window.setTimeout(() => void this.refresh(), delay);
  }

  protected _changed = new Signal<this, void>(this);
  protected _error: string | null = null;
  protected _loading = false;
  private _isDisposed = false;
  private _poll: Poll;
  private _timer = 0;
  private _visible = true;
}

export namespace SectionModel {
  export interface IOptions {
    /** The poll's name, e.g. `jupyterlab-conveyor:runs`. */
    name: string;
    /** Poll interval in ms. */
    interval: number;
    /** Longest interval in ms when backing off after errors. */
    max: number;
    /** Start polling at once (default true). */
    autoStart?: boolean;
  }
}
