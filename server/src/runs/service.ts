import type { Run, RunList, RunSubmit } from '../../../schema/generated/api';
import type { ArtifactStore } from '../artifacts/store';
import { AppError } from '../core/errors';
import type { LogStore } from '../logs/store';
import { downstreamOf } from '../pipelines/dag';
import type { Store } from '../store/store';
import { newRunId } from './ids';
import { toApiRun, toApiStep, TERMINAL_RUN, TERMINAL_STEP, type RunState, type StepState } from './model';
import { RunQueries } from './queries';
import type { Scheduler } from './scheduler';
import type { PreparedRun, RunSubmitter } from './submit';
import type { StepTrackingHooks } from '../tracking/steps/hooks';
import { shareAccess } from '../shares/access';

export interface RunServiceDeps {
  store: Store;
  submitter: RunSubmitter;
  scheduler: Scheduler;
  artifacts: ArtifactStore;
  logs: LogStore;
  /** notebooks/diff.ts `diffNotebooks`, when available. */
  diffNotebooks?: (a: unknown, b: unknown) => unknown;
  /** Experiment tracking: the steps a resume reuses are tracked like cached steps. */
  tracking?: Pick<StepTrackingHooks, 'ended'>;
}

export interface LogPage {
  lines: string[];
  from: number;
  next: number;
  attempt: number;
  done: boolean;
}

const MAX_LIST = 200;

/** Runs as the API sees them: submit, read, cancel, resume, rerun, logs and artifacts. Owners only. */
export class RunService {
  private readonly q: RunQueries;

  constructor(private readonly deps: RunServiceDeps) {
    this.q = new RunQueries(deps.store.db);
  }

  async submit(owner: string, body: RunSubmit): Promise<Run> {
    return this.insert(owner, await this.deps.submitter.prepare(owner, body));
  }

  private async insert(owner: string, prepared: PreparedRun[]): Promise<Run> {
    for (const p of prepared) await this.q.insert(p.run, p.steps);
    for (const p of prepared) {
      for (const step of p.steps) if (step.status === 'succeeded' && step.cachedFrom) await this.deps.tracking?.ended(p.run, step);
    }
    this.deps.scheduler.kick();
    return this.get(owner, prepared[0].run.id);
  }

  /** A run of `owner`; anyone else's is 404 like a missing one. */
  async run(owner: string, id: string): Promise<RunState> {
    const run = await this.q.get(id);
    if (!run || run.owner !== owner) throw new AppError(404, 'run_not_found', `No run ${id}`);
    return run;
  }

  // shares (issue #8): a redeemed, live share link on the run gives its holder read-only access.
  /** A run the user may read: theirs, or shared with them by a link (404 otherwise). */
  async readable(user: string, id: string): Promise<RunState> {
    const run = await this.q.get(id);
    if (run && run.owner !== user && (await shareAccess(this.deps.store.db, user, 'run', { id }))) return run;
    return this.run(user, id);
  }

  async step(owner: string, id: string, name: string, shared = false): Promise<StepState> {
    await (shared ? this.readable(owner, id) : this.run(owner, id));
    const step = await this.q.step(id, name);
    if (!step) throw new AppError(404, 'step_not_found', `Run ${id} has no step "${name}"`);
    return step;
  }

  /** `shared`: also a run shared with the caller by a link (the read routes pass it; shares, issue #8). */
  async get(owner: string, id: string, shared = false): Promise<Run> {
    const run = await (shared ? this.readable(owner, id) : this.run(owner, id));
    const steps = (await this.q.steps(id)).map(s => toApiStep(s, this.deps.scheduler.queuePosition(id, s.name)));
    const out = toApiRun(run, steps, { withPipeline: true });
    if (run.sweep) {
      const children = await this.q.children(id);
      out.sweep = {
        maxParallel: run.sweep.maxParallel,
        children: children.map(c => ({ id: c.id, status: c.status, params: c.params }))
      };
    }
    return out;
  }

  async list(owner: string, query: { status?: string; q?: string; parent?: string; limit?: string; cursor?: string }): Promise<RunList> {
    const limit = query.limit === undefined ? 50 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) {
      throw AppError.invalid(`limit must be an integer 1-${MAX_LIST}`);
    }
    const runs = await this.q.list({ owner, status: query.status, q: query.q, parent: query.parent, cursor: query.cursor, limit: limit + 1 });
    const page = runs.slice(0, limit);
    const out: Run[] = [];
    for (const run of page) {
      const steps = (await this.q.steps(run.id)).map(s => toApiStep(s, this.deps.scheduler.queuePosition(run.id, s.name)));
      out.push(toApiRun(run, steps, { withPipeline: false }));
    }
    return { runs: out, nextCursor: runs.length > limit ? page[page.length - 1].id : null };
  }

  async cancel(owner: string, id: string, step?: string): Promise<Run> {
    if (step === undefined) await this.run(owner, id);
    else await this.step(owner, id, step);
    await this.deps.scheduler.cancel(id, step);
    return this.get(owner, id);
  }

  /**
   * A new run of the same submission, resolved again from the workspace (so a fixed notebook is
   * picked up): steps that succeeded and are not downstream of a failed, cancelled or skipped step
   * are copied with `cachedFrom`; the others run.
   */
  async resume(owner: string, id: string): Promise<Run> {
    const original = await this.run(owner, id);
    if (!TERMINAL_RUN.has(original.status)) throw AppError.conflict(`Run ${id} is still ${original.status}`);
    if (original.sweep) throw AppError.invalid('Resume the child runs of a sweep, not the sweep itself');
    const prepared = await this.deps.submitter.prepare(owner, original.submit as RunSubmit, { noSweep: true });
    const fresh = prepared[0];
    const old = new Map((await this.q.steps(id)).map(s => [s.name, s]));
    const bad = [...old.values()].filter(s => s.status !== 'succeeded').map(s => s.name);
    const rerun = fresh.run.pipeline ? downstreamOf(fresh.run.pipeline, bad.filter(n => fresh.steps.some(s => s.name === n))) : new Set<string>();
    fresh.run.params = original.params;
    fresh.run.parentId = original.parentId;
    fresh.run.name = original.name;
    fresh.run.resumedFrom = id;
    for (const step of fresh.steps) {
      step.spec.params = { ...step.spec.params, ...original.params };
      const was = old.get(step.name);
      if (was?.status === 'succeeded' && !rerun.has(step.name)) {
        Object.assign(step, {
          status: 'succeeded',
          cachedFrom: was.cachedFrom ?? id,
          cacheKey: was.cacheKey,
          outputs: was.outputs,
          executedNotebook: was.executedNotebook,
          exitCode: was.exitCode,
          imageDigest: was.imageDigest,
          notebookHash: was.notebookHash,
          startedAt: fresh.run.createdAt,
          finishedAt: fresh.run.createdAt
        });
      }
    }
    return this.insert(owner, [fresh]);
  }

  /** A new run with exactly the original's inputs (the snapshotted notebooks and files). */
  async rerun(owner: string, id: string, opts: { cache?: boolean }): Promise<Run> {
    const original = await this.run(owner, id);
    const now = new Date();
    const copy = async (run: RunState, parentId: string | null, offset: number): Promise<PreparedRun> => {
      const newId = newRunId(now.getTime() + offset);
      const steps = (await this.q.steps(run.id)).map(s => ({
        ...s,
        runId: newId,
        status: 'pending' as const,
        attempt: 0,
        containerId: null,
        exitCode: null,
        oomKilled: false,
        error: null,
        cacheKey: null,
        cachedFrom: null,
        executedNotebook: null,
        outputs: [],
        queuedAt: null,
        startedAt: null,
        finishedAt: null
      }));
      const fresh: RunState = {
        ...run,
        id: newId,
        status: 'queued',
        parentId,
        resumedFrom: parentId ? run.id : id,
        cache: opts.cache ?? run.cache,
        error: null,
        createdAt: new Date(now.getTime() + offset).toISOString(),
        startedAt: null,
        finishedAt: null
      };
      return { run: fresh, steps };
    };
    const parent = await copy(original, original.parentId, 0);
    const prepared = [parent];
    if (original.sweep) {
      const children = await this.q.children(id);
      for (let i = 0; i < children.length; i++) prepared.push(await copy(children[i], parent.run.id, i + 1));
    }
    // Quotas and budgets are checked again: a rerun is new work.
    const first = prepared.find(p => p.steps.length > 0);
    if (first) await this.deps.submitter.admit(owner, first.run, first.steps);
    return this.insert(owner, prepared);
  }

  async logs(owner: string, id: string, name: string, query: { attempt?: string; from?: string; max?: string }, shared = false): Promise<LogPage> {
    const step = await this.step(owner, id, name, shared);
    const attempt = query.attempt === undefined ? Math.max(step.attempt, 1) : Number(query.attempt);
    const from = query.from === undefined ? 0 : Number(query.from);
    const max = query.max === undefined ? 1000 : Number(query.max);
    for (const [k, v] of [['attempt', attempt], ['from', from], ['max', max]] as const) {
      if (!Number.isInteger(v) || v < 0 || (k === 'max' && (v < 1 || v > 10000))) {
        throw AppError.invalid(`${k} must be a non-negative integer${k === 'max' ? ' of at most 10000' : ''}`);
      }
    }
    const page = this.deps.logs.read(id, name, attempt, from, max);
    const finishedAttempt = attempt < step.attempt || TERMINAL_STEP.has(step.status) || step.status === 'queued';
    const done = finishedAttempt && page.next >= this.deps.logs.count(id, name, attempt);
    return { lines: page.lines, from, next: page.next, attempt, done };
  }

  /** For websocket log subscriptions: the step's current attempt when `user` owns the run, else null. */
  async logAccess(user: string, runId: string, step: string): Promise<{ attempt: number } | null> {
    const found = await this.step(user, runId, step).catch(() => undefined);
    return found ? { attempt: found.attempt } : null;
  }

  async notebook(owner: string, id: string, name: string, shared = false): Promise<Buffer> {
    const step = await this.step(owner, id, name, shared);
    if (!step.executedNotebook) {
      throw new AppError(404, 'notebook_not_found', `Step "${name}" of run ${id} has no executed notebook`);
    }
    return this.deps.artifacts.read(step.executedNotebook);
  }

  async output(owner: string, id: string, name: string, output: string, shared = false): Promise<{ stream: NodeJS.ReadableStream; size: number }> {
    const step = await this.step(owner, id, name, shared);
    const found = step.outputs.find(o => o.name === output);
    if (!found) throw new AppError(404, 'output_not_found', `Step "${name}" of run ${id} has no output "${output}"`);
    return { stream: this.deps.artifacts.get(found.hash), size: found.size };
  }

  /** Cell-level diff of two executed notebooks, each named `<runId>/<step>`. */
  async diff(owner: string, a: string | undefined, b: string | undefined): Promise<unknown> {
    if (!this.deps.diffNotebooks) throw new AppError(501, 'not_implemented', 'Notebook diffs are not available');
    const load = async (ref: string | undefined, which: string): Promise<unknown> => {
      const m = /^([^/]+)\/([^/]+)$/.exec(ref ?? '');
      if (!m) throw AppError.invalid(`${which} must be <runId>/<step>`);
      return JSON.parse((await this.notebook(owner, m[1], m[2])).toString('utf8'));
    };
    return this.deps.diffNotebooks(await load(a, 'a'), await load(b, 'b'));
  }
}
