import type { LogStore } from '../logs/store';
import type { LogLine } from '../runtime/runtime';
import type { StepJob } from './job';

const FLUSH_MS = 50;
const FLUSH_LINES = 500;
const LAST_LINES = 60;

/**
 * Pumps container lines into the LogStore in small batches (so subscribers see them live without
 * one write per line) and keeps the last lines for the error report. `skip` drops lines already
 * stored (reattach replays the container's logs from the start).
 */
export class LogPump {
  readonly last: string[] = [];
  private batch: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  readonly done: Promise<void>;

  constructor(
    private readonly logs: LogStore,
    private readonly job: StepJob,
    lines: AsyncIterable<LogLine>,
    private skip = 0,
    /** A sealed step (datasets/blinding/): lines are read (so the container never blocks) and dropped. */
    private readonly discard = false
  ) {
    this.done = this.pump(lines).finally(() => this.flush());
  }

  private async pump(lines: AsyncIterable<LogLine>): Promise<void> {
    for await (const { line } of lines) {
      if (this.skip > 0 || this.discard) {
        this.skip = Math.max(0, this.skip - 1);
        continue;
      }
      this.last.push(line);
      if (this.last.length > LAST_LINES) {
        this.last.shift();
      }
      this.batch.push(line);
      if (this.batch.length >= FLUSH_LINES) {
        this.flush();
      } else if (!this.timer) {
        this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      }
    }
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length) {
      const lines = this.batch;
      this.batch = [];
      this.logs.append(this.job.runId, this.job.step, this.job.attempt, lines);
    }
  }
}

/** Seeds the last lines from the store (reattach: lines written before the crash). */
export function lastStoredLines(logs: LogStore, job: StepJob): string[] {
  const count = logs.count(job.runId, job.step, job.attempt);
  return logs.read(job.runId, job.step, job.attempt, Math.max(0, count - LAST_LINES), LAST_LINES).lines;
}
