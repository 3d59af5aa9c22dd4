import type { Logger } from '../core/logger';
import { PORT, WorkspaceEngine } from './engine';
import type { Row, WorkspaceService } from './service';

/** What the inner JupyterLab reports (its /api/status, /api/kernels and /api/terminals). */
export interface ActivitySnapshot {
  lastActivity: Date;
  kernels: { execution_state?: string }[];
  terminals: number;
}

/**
 * Idle = no activity for `idleSeconds`, no busy kernel and no open terminal. A busy kernel counts
 * even with no client connected (the JupyterHub culler pitfall: a long computation is not idle).
 */
export function isIdle(s: ActivitySnapshot, now: Date, idleSeconds: number): boolean {
  if (s.kernels.some(k => k.execution_state === 'busy' || k.execution_state === 'starting')) return false;
  if (s.terminals > 0) return false;
  return now.getTime() - s.lastActivity.getTime() >= idleSeconds * 1000;
}

/** Stops idle workspaces every `intervalSeconds` (the volume is kept; opening one starts it again). */
export class Culler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly service: WorkspaceService,
    private readonly logger: Logger,
    private readonly intervalSeconds: number
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.sweep()).catch(err => this.logger.warn({ err: String(err) }, 'workspace cull failed'));
    }, this.intervalSeconds * 1000);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async sweep(now = new Date()): Promise<void> {
    for (const row of await this.service.running()) {
      const snapshot = await this.snapshot(row);
      if (!snapshot) continue;
      const busy = !isIdle(snapshot, now, 0);
      const last = busy ? now : snapshot.lastActivity;
      if (isIdle(snapshot, now, row.idle_seconds)) {
        this.logger.info({ workspace: row.id, lastActivity: last.toISOString() }, 'stopping an idle workspace');
        await this.service.touch(row.id, last);
        await this.service.stop(row, null, { reason: 'idle' });
      } else {
        await this.service.touch(row.id, last);
      }
    }
  }

  private async snapshot(row: Row): Promise<ActivitySnapshot | null> {
    const live = await this.service.target(row);
    if (!live) return null;
    const get = async <T>(path: string): Promise<T> => {
      const res = await fetch(`http://${live.ip}:${PORT}${WorkspaceEngine.baseUrl(row.id)}${path}`, {
        headers: { authorization: `token ${live.token}` },
        signal: AbortSignal.timeout(5000)
      });
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
      return (await res.json()) as T;
    };
    try {
      // no_track_activity: the culler's own requests are not activity.
      const status = await get<{ last_activity: string }>('api/status');
      const kernels = await get<{ execution_state?: string }[]>('api/kernels?no_track_activity=1');
      const terminals = await get<unknown[]>('api/terminals?no_track_activity=1');
      return { lastActivity: new Date(status.last_activity), kernels, terminals: terminals.length };
    } catch (err) {
      this.logger.debug({ workspace: row.id, err: String(err) }, 'workspace activity unknown');
      return null;
    }
  }
}
