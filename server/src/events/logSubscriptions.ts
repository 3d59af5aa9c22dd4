import type { ServerEvent } from '../../../schema/generated/api';
import type { LogStore } from '../logs/store';

/** What the hub asks the runs feature before streaming a step's log: null when the user may not see it. */
export type LogAccess = (user: string, runId: string, step: string) => Promise<{ attempt: number } | null>;

type LogEvent = Extract<ServerEvent, { type: 'log' }>;

const REPLAY_BATCH = 1000;

/**
 * One socket's log subscriptions. `subscribe` replays the current attempt from line `from`, then
 * forwards live lines (of this and later attempts) without gaps or repeats.
 */
export class LogSubscriptions {
  private readonly subs = new Map<string, () => void>();

  constructor(
    private readonly logs: LogStore,
    private readonly access: LogAccess,
    private readonly send: (event: LogEvent) => void
  ) {}

  async subscribe(user: string, runId: string, step: string, from: number): Promise<boolean> {
    const allowed = await this.access(user, runId, step);
    if (!allowed) return false;
    const k = `${runId}\0${step}`;
    this.subs.get(k)?.();
    const attempt = Math.max(allowed.attempt, 1);
    // Live lines that arrive while replaying are held, then sent after the replay.
    const held: [number, number, string[]][] = [];
    let replaying = true;
    let sent = { attempt, next: Math.max(0, from) };
    const forward = (a: number, at: number, lines: string[]): void => {
      if (a < sent.attempt) return;
      if (a > sent.attempt) sent = { attempt: a, next: 0 };
      const skip = Math.max(0, sent.next - at);
      if (skip >= lines.length) return;
      const fresh = lines.slice(skip);
      this.send({ type: 'log', runId, step, attempt: a, from: at + skip, lines: fresh });
      sent.next = at + skip + fresh.length;
    };
    const unsubscribe = this.logs.subscribe(runId, step, (a, at, lines) => {
      if (replaying) held.push([a, at, lines]);
      else forward(a, at, lines);
    });
    this.subs.set(k, unsubscribe);
    for (;;) {
      const page = this.logs.read(runId, step, attempt, sent.next, REPLAY_BATCH);
      if (page.lines.length === 0) break;
      this.send({ type: 'log', runId, step, attempt, from: sent.next, lines: page.lines });
      sent.next = page.next;
    }
    replaying = false;
    for (const [a, at, lines] of held) forward(a, at, lines);
    return true;
  }

  unsubscribe(runId: string, step: string): void {
    const k = `${runId}\0${step}`;
    this.subs.get(k)?.();
    this.subs.delete(k);
  }

  close(): void {
    for (const off of this.subs.values()) off();
    this.subs.clear();
  }
}
