import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { IPoll, Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import type { ServerEvent, ServerStatus } from '../../schema/generated/api';
import { API_PREFIX } from './api';
import { versionsDiffer } from './version';

/**
 * Where the frontend stands with the companion server.
 */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

/**
 * The narrow slice of the API client the connection needs (tests pass a fake).
 */
export type StatusFetcher = (path: string, init?: RequestInit) => Promise<unknown>;

/**
 * Owns the server's status, the connection state and the version handshake.
 *
 * The status is polled (standby while the page is hidden) and refreshed in between by
 * `status` events on the server's websocket. Views render it and never fetch themselves.
 */
export class ConnectionModel implements IDisposable {
  constructor(options: ConnectionModel.IOptions) {
    this._fetch = options.requestAPI;
    this._settings = options.serverSettings;
    this.frontendVersion = options.frontendVersion;
    const interval = options.pollInterval ?? ConnectionModel.DEFAULT_POLL_INTERVAL;
    this._poll = new Poll({
      auto: false,
      factory: () => this._fetchStatus(),
      frequency: Private.frequency(interval),
      name: 'jupyterlab-conveyor:status',
      standby: options.standby ?? 'when-hidden'
    });
    if (options.autoStart ?? true) {
      this.start();
    }
    if (options.websocket ?? true) {
      if (options.connectAfter) {
        void options.connectAfter.then(() => {
          if (!this._isDisposed) {
            this._connectSocket();
          }
        });
      } else {
        this._connectSocket();
      }
    }
  }

  /**
   * Starts polling (when created with `autoStart: false`). The plugin calls it once JupyterLab
   * has restored, so Conveyor's requests never compete with the application's start-up.
   */
  start(): void {
    if (!this._isDisposed) {
      void this._poll.start();
    }
  }

  /**
   * Version of this frontend extension.
   */
  readonly frontendVersion: string;

  /**
   * Emitted whenever the status, the state or the error changes.
   */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * Every event the server sends on the websocket (`hello`, `status`, `run`, `log`, …).
   */
  get events(): ISignal<this, ServerEvent> {
    return this._events;
  }

  /**
   * Emitted each time the websocket (re)opens: subscriptions must be renewed then.
   */
  get socketOpened(): ISignal<this, void> {
    return this._socketOpened;
  }

  /**
   * Send a message on the websocket (e.g. `subscribe-logs`).
   *
   * @returns whether it was sent; `false` while the socket is down (renew on `socketOpened`)
   */
  send(message: ConnectionModel.ClientMessage): boolean {
    const socket = this._socket;
    if (this.isDisposed || !socket || socket.readyState !== 1) {
      return false;
    }
    socket.send(JSON.stringify(message));
    return true;
  }

  get state(): ConnectionState {
    return this._state;
  }

  /**
   * The last status the server reported (kept while disconnected, so views can show what
   * was last known), or `null` before the first answer.
   */
  get status(): ServerStatus | null {
    return this._status;
  }

  /**
   * Why the server cannot be reached (the server's or the proxy's message), else `null`.
   */
  get error(): string | null {
    return this._error;
  }

  get serverVersion(): string | null {
    return this._status?.server.version ?? null;
  }

  /**
   * Whether the extension and the server come from different releases.
   */
  get versionMismatch(): boolean {
    const server = this.serverVersion;
    return server !== null && versionsDiffer(this.frontendVersion, server);
  }

  /**
   * When the status was last received.
   */
  get lastUpdated(): Date | null {
    return this._lastUpdated;
  }

  /**
   * Whether the live event socket is open.
   */
  get live(): boolean {
    return this._socket?.readyState === 1;
  }

  /**
   * Poll interval in milliseconds.
   */
  get pollInterval(): number {
    return this._poll.frequency.interval;
  }
  set pollInterval(interval: number) {
    if (this.isDisposed || interval === this._poll.frequency.interval) {
      return;
    }
    this._poll.frequency = Private.frequency(interval);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Fetch the status now; resolves once the answer (or the failure) is applied.
   */
  async refresh(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    if (this._state === 'disconnected') {
      this._setState('connecting', this._error);
    }
    await this._poll.refresh();
    await this._poll.tick.catch(() => undefined);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    window.clearTimeout(this._reconnectTimer);
    if (this._socket) {
      this._socket.onclose = null;
      this._socket.onmessage = null;
      this._socket.close();
      this._socket = null;
    }
    Signal.clearData(this);
  }

  private async _fetchStatus(): Promise<void> {
    try {
      const status = (await this._fetch('status')) as ServerStatus;
      this._applyStatus(status);
    } catch (error) {
      if (this.isDisposed) {
        return;
      }
      this._setState('disconnected', Private.message(error));
      throw error; // let the poll back off
    }
  }

  private _applyStatus(status: ServerStatus): void {
    if (this.isDisposed) {
      return;
    }
    this._status = status;
    this._lastUpdated = new Date();
    this._state = 'connected';
    this._error = null;
    this._changed.emit();
  }

  private _setState(state: ConnectionState, error: string | null): void {
    if (this._state === state && this._error === error) {
      return;
    }
    this._state = state;
    this._error = error;
    this._changed.emit();
  }

  private _connectSocket(): void {
    if (this.isDisposed) {
      return;
    }
    const settings = this._settings;
    let url = URLExt.join(settings.wsUrl, API_PREFIX, 'ws');
    if (settings.appendToken && settings.token) {
      url += `?token=${encodeURIComponent(settings.token)}`;
    }
    let socket: WebSocket;
    try {
      socket = new settings.WebSocket(url);
    } catch {
      this._scheduleReconnect();
      return;
    }
    this._socket = socket;
    socket.onopen = () => {
      this._reconnectAttempt = 0;
      this._changed.emit();
      this._socketOpened.emit();
    };
    socket.onmessage = (msg: MessageEvent) => this._onSocketMessage(msg);
    socket.onclose = () => {
      this._socket = null;
      if (!this.isDisposed) {
        this._changed.emit();
        this._scheduleReconnect();
      }
    };
  }

  private _onSocketMessage(msg: MessageEvent): void {
    let event: ServerEvent;
    try {
      event = JSON.parse(String(msg.data)) as ServerEvent;
    } catch {
      return;
    }
    if (!event || typeof event !== 'object') {
      return;
    }
    if (event.type === 'status') {
      this._applyStatus(event.status);
    } else if (event.type === 'hello' && this._state === 'disconnected') {
      // The server is back: fetch the full status instead of waiting for the next poll.
      void this._poll.refresh();
    }
    this._events.emit(event);
  }

  private _scheduleReconnect(): void {
    const delay = Math.min(
      ConnectionModel.MAX_RECONNECT_DELAY,
      1000 * 2 ** this._reconnectAttempt
    );
    this._reconnectAttempt++;
    this._reconnectTimer = window.setTimeout(() => this._connectSocket(), delay);
  }

  private _changed = new Signal<this, void>(this);
  private _error: string | null = null;
  private _events = new Signal<this, ServerEvent>(this);
  private _socketOpened = new Signal<this, void>(this);
  private _fetch: StatusFetcher;
  private _isDisposed = false;
  private _lastUpdated: Date | null = null;
  private _poll: Poll;
  private _reconnectAttempt = 0;
  private _reconnectTimer = 0;
  private _settings: ServerConnection.ISettings;
  private _socket: WebSocket | null = null;
  private _state: ConnectionState = 'connecting';
  private _status: ServerStatus | null = null;
}

export namespace ConnectionModel {
  export interface IOptions {
    requestAPI: StatusFetcher;
    serverSettings: ServerConnection.ISettings;
    frontendVersion: string;
    /**
     * Poll interval in milliseconds.
     */
    pollInterval?: number;
    /**
     * Start polling at once (default true).
     */
    autoStart?: boolean;
    /**
     * Open the websocket only once this promise resolves (e.g. `app.restored`); default at once.
     */
    connectAfter?: Promise<unknown>;
    /**
     * Poll standby, default `'when-hidden'`.
     */
    standby?: Poll.Standby;
    /**
     * Listen to the server's websocket events (default true).
     */
    websocket?: boolean;
  }

  /**
   * A message a client sends on the websocket.
   */
  export type ClientMessage =
    | { type: 'subscribe-logs'; runId: string; step: string; from: number }
    | { type: 'unsubscribe-logs'; runId: string; step: string };

  export const DEFAULT_POLL_INTERVAL = 10_000;
  export const MAX_RECONNECT_DELAY = 30_000;
}

namespace Private {
  export function frequency(interval: number): IPoll.Frequency {
    return { interval, backoff: true, max: Math.max(interval, 60_000) };
  }

  export function message(error: unknown): string {
    if (error instanceof Error && error.message) {
      return error.message;
    }
    return String(error);
  }
}
