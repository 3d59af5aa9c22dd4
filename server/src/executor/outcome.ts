import type { ArtifactStore } from '../artifacts/store';
import type { Container } from '../runtime/runtime';
import { captureOutput, readFileFrom } from './collect';
import { EXECUTED_NOTEBOOK, WORK_DIR, type StepError, type StepJob, type StepOutcome } from './job';
import { readExecutedNotebook } from './notebookError';
import { workRelative } from './paths';

/** How the wait ended. */
export type Ending = 'exited' | 'timedOut' | 'cancelled';

const MiB = 1024 * 1024;
const LAST_CELL_LINES = 20;

interface Collect {
  container: Container;
  job: StepJob;
  ending: Ending;
  lastLines: string[];
  imageDigest: string;
  artifacts: ArtifactStore;
}

/** The error of a step that did not succeed, most specific cause first. */
function errorOf(
  c: Collect,
  exitCode: number | null,
  oomKilled: boolean,
  cellError: Omit<StepError, 'lastLines'> | null
): StepError {
  const lastLines = [...c.lastLines];
  if (c.ending === 'cancelled') {
    return { message: 'cancelled', lastLines };
  }
  if (c.ending === 'timedOut') {
    return { message: `timed out after ${c.job.timeoutSeconds}s`, lastLines };
  }
  if (oomKilled) {
    const limit = c.job.resources.memoryBytes;
    const message = limit ? `out of memory (limit ${Math.round(limit / MiB)} MiB)` : 'out of memory';
    return { ...(cellError ?? {}), message, lastLines };
  }
  if (cellError) {
    // Papermill ends with its own copy of the traceback: keep the lines the notebook printed.
    const lastCell = lastLines.map(l => /^Ending Cell \d+-+$/.test(l)).lastIndexOf(true);
    return { ...cellError, lastLines: lastCell >= 0 ? lastLines.slice(0, lastCell + 1).slice(-LAST_CELL_LINES) : lastLines };
  }
  return { message: `exited with code ${exitCode}`, lastLines };
}

async function collect(c: Collect): Promise<StepOutcome> {
  const { container, job, artifacts } = c;
  const state = await container.inspect();
  const exitCode = state.exitCode;
  const oomKilled = state.oomKilled;
  let executedNotebook: string | null = null;
  let cellError: Omit<StepError, 'lastLines'> | null = null;
  if (job.notebook) {
    const executed = await readFileFrom(container, `${WORK_DIR}/${EXECUTED_NOTEBOOK}`);
    if (executed) {
      executedNotebook = (await artifacts.put(executed)).hash;
      cellError = readExecutedNotebook(executed).error;
    }
  }
  const base = {
    exitCode,
    oomKilled,
    timedOut: c.ending === 'timedOut',
    executedNotebook,
    imageDigest: c.imageDigest,
    containerId: container.id,
    finishedAt: state.finishedAt
  };
  if (c.ending !== 'exited' || exitCode !== 0 || oomKilled) {
    return {
      ...base,
      status: c.ending === 'cancelled' ? 'cancelled' : 'failed',
      outputs: [],
      error: errorOf(c, exitCode, oomKilled, cellError)
    };
  }
  const outputs: StepOutcome['outputs'] = [];
  for (const name of job.outputs) {
    const stored = await captureOutput(container, `${WORK_DIR}/${workRelative(name, 'an output path')}`, artifacts);
    if (!stored) {
      return { ...base, status: 'failed', outputs, error: { message: `output '${name}' was not written`, lastLines: [...c.lastLines] } };
    }
    outputs.push({ name, hash: stored.hash, size: stored.size });
  }
  return { ...base, status: 'succeeded', outputs, error: null };
}

export const finish = {
  collect,
  /** What a sealed step (datasets/blinding/) may report: its status and exit, no lines, cells or outputs. */
  seal(outcome: StepOutcome): void {
    outcome.executedNotebook = null;
    outcome.outputs = [];
    if (outcome.error) {
      const why = outcome.oomKilled ? 'out of memory' : outcome.timedOut ? 'timed out' : outcome.status === 'cancelled' ? 'cancelled' : `exited with code ${outcome.exitCode}`;
      outcome.error = { message: `${why} (sealed step on blinded data: no logs or outputs are kept)` };
    }
  },
  /** The signal was aborted before a container existed. */
  cancelledBeforeStart(job: StepJob, imageDigest: string): StepOutcome {
    void job;
    return {
      status: 'cancelled',
      exitCode: null,
      oomKilled: false,
      timedOut: false,
      executedNotebook: null,
      outputs: [],
      error: { message: 'cancelled' },
      imageDigest,
      containerId: ''
    };
  }
};
