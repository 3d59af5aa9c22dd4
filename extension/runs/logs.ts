import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { ServerEvent } from '../../schema/generated/api';
import type { ConnectionModel } from '../core/connection';

type LogEvent = Extract<ServerEvent, { type: 'log' }>;

/**
 * The slice of the ConnectionModel a log subscription needs (tests pass a fake).
 */
export interface ILogChannel {
  send(message: ConnectionModel.ClientMessage): boolean;
  readonly events: ISignal<unknown, ServerEvent>;
  readonly socketOpened: ISignal<unknown, void>;
}

/**
 * A live subscription to one step's log over the websocket.
 *
 * Book-keeping: `next` is the index of the next line expected in the current attempt. Lines the
 * server sends again (a replay after a reconnect overlapping what we have) are dropped, and when
 * the socket reopens the subscription is renewed from `next`, so nothing is lost or duplicated.
 * Only the last `maxLines` lines are kept in memory (the view renders those).
 */
export class LogSubscription implements IDisposable {
  constructor(options: LogSubscription.IOptions) {
    this.runId = options.runId;
    this.step = options.step;
    this._channel = options.channel;
    this._maxLines = options.maxLines ?? LogSubscription.MAX_LINES;
    this._channel.events.connect(this._onEvent, this);
    this._channel.socketOpened.connect(this._subscribe, this);
    this._subscribe();
  }

  readonly runId: string;
  readonly step: string;

  /**
   * Emitted when lines arrive.
   */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * The kept lines (at most `maxLines`, the newest).
   */
  get lines(): readonly string[] {
    return this._lines;
  }

  /**
   * How many older lines were dropped from memory to respect `maxLines`.
   */
  get dropped(): number {
    return this._dropped;
  }

  /**
   * Index, within the current attempt's log, of the next line expected.
   */
  get next(): number {
    return this._next;
  }

  /**
   * The attempt whose lines are shown last (0 before any line arrived).
   */
  get attempt(): number {
    return this._attempt;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._channel.send({ type: 'unsubscribe-logs', runId: this.runId, step: this.step });
    this._channel.events.disconnect(this._onEvent, this);
    this._channel.socketOpened.disconnect(this._subscribe, this);
    Signal.clearData(this);
  }

  private _subscribe(): void {
    this._channel.send({
      type: 'subscribe-logs',
      runId: this.runId,
      step: this.step,
      from: this._next
    });
  }

  private _onEvent(_: unknown, event: ServerEvent): void {
    if (event.type !== 'log' || event.runId !== this.runId || event.step !== this.step) {
      return;
    }
    this._append(event);
  }

  private _append(event: LogEvent): void {
    if (event.attempt < this._attempt) {
      return; // a late replay of an older attempt
    }
    if (event.attempt > this._attempt) {
      if (this._attempt > 0) {
        this._push([`── attempt ${event.attempt} ──`]);
      }
      this._attempt = event.attempt;
      this._next = 0;
    }
    // Skip what we already have; a gap (from > next) cannot be filled live, keep what came.
    const skip = Math.max(0, this._next - event.from);
    const fresh = event.lines.slice(skip);
    if (fresh.length === 0) {
      return;
    }
    this._next = event.from + event.lines.length;
    this._push(fresh);
    this._changed.emit();
  }

  private _push(lines: string[]): void {
    this._lines.push(...lines);
    const excess = this._lines.length - this._maxLines;
    if (excess > 0) {
      this._lines.splice(0, excess);
      this._dropped += excess;
    }
  }

  private _attempt = 0;
  private _changed = new Signal<this, void>(this);
  private _channel: ILogChannel;
  private _dropped = 0;
  private _isDisposed = false;
  private _lines: string[] = [];
  private _maxLines: number;
  private _next = 0;
}

export namespace LogSubscription {
  export interface IOptions {
    channel: ILogChannel;
    runId: string;
    step: string;
    maxLines?: number;
  }

  export const MAX_LINES = 5000;
}
