import type { RunStatus, ServerEvent } from '../../../schema/generated/api';
import type { ArtifactStore } from '../artifacts/store';
import type { Logger } from '../core/logger';
import type { StepExecutor, StepJob, StepOutcome } from '../executor/executor';
import { ContainerGone } from '../executor/job';
import { LABEL_ATTEMPT, LABEL_RUN, LABEL_STEP, type Runtime } from '../runtime/runtime';
import type { Store } from '../store/store';
import type { StepTrackingHooks } from '../tracking/steps/hooks';
import { buildJob, cacheKey, inputHashes } from './jobs';
import { errorSummary, TERMINAL_RUN, TERMINAL_STEP, type RunState, type StepState } from './model';
import { ResourcePool, type Demand, type Reservation } from './pool';
import { RunQueries, type StepPatch } from './queries';
import { choosePreemptions, priorityOf, PRIORITY_RANK, projectOf, type Admission, type QueueEntry, type StepUse } from './admission';

export type { Admission, Priority, QueueEntry, StepUse } from './admission';

/** Where run events go: the websocket hub sends them to the owner's sockets only. */
export interface RunEventSink {
  publish(owner: string, event: ServerEvent): void;
}

export interface SchedulerDeps {
  store: Store;
  runtime: Runtime;
  executor: Pick<StepExecutor, 'run' | 'reattach'>;
  artifacts: ArtifactStore;
  logger: Logger;
  events: RunEventSink;
  /** CPUs a step that asks for none reserves (default 0.5). */
  defaultCpus?: number;
  clock?: () => Date;
  /** Quotas and metering (resources/service.ts); without it only the machine's capacity counts. */
  admission?: Admission;
  /** Experiment tracking (tracking/steps/): every step attempt is a tracked run. */
  tracking?: StepTrackingHooks;
}

interface Active {
  controller: AbortController;
  reservation: Reservation;
  use: StepUse;
  cancelled: boolean;
  /** Stopped to make room for non-preemptible work: requeued, not failed or cancelled. */
  preempted?: boolean;
  /** Why it was cancelled, when not by its owner (a used-up budget): kept as the step's error. */
  reason?: string;
  done: Promise<void>;
}

/** Attempts a step gets at most, whatever its policy, when containers vanish under it. */
const MAX_ATTEMPTS = 10;
const CANCEL_WAIT_MS = 30_000;

const key = (runId: string, step: string): string => `${runId}/${step}`;

/**
 * Where an attempt's metering ends: now, or for a step followed again after a restart the
 * container's own exit (it may have ended while the server was down), never before its start.
 */
function meteredEnd(use: StepUse, outcome: StepOutcome | undefined, reattached: boolean, now: Date): Date {
  const exited = reattached && outcome?.finishedAt ? Date.parse(outcome.finishedAt) : NaN;
  if (!Number.isFinite(exited)) return now;
  return new Date(Math.min(now.getTime(), Math.max(use.startedAt.getTime(), exited)));
}

/**
 * The one scheduler of a server. The store is the truth: every pass reads the active runs, moves
 * steps whose upstreams are done (skipped, cached or queued), admits sweep children up to
 * `maxParallel`, and starts queued steps by priority, FIFO within one, while their owner's quotas
 * (resources/) and the machine's CPUs/memory/GPUs allow, preempting preemptible steps for others. Every change is
 * persisted first, then sent as a `run` event. All passes and settlements run one at a time.
 */
export class Scheduler {
  private readonly q: RunQueries;
  private readonly active = new Map<string, Active>();
  private readonly retryAt = new Map<string, number>();
  private queue: string[] = [];
  private queueInfo: QueueEntry[] = [];
  private pool: ResourcePool | undefined;
  private lock: Promise<unknown> = Promise.resolve();
  private pending = false;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: SchedulerDeps) {
    this.q = new RunQueries(deps.store.db);
  }

  private now(): string {
    return (this.deps.clock?.() ?? new Date()).toISOString();
  }

  /** Runs fn after every earlier pass or settlement. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => undefined);
    return next;
  }

  /** The position of a queued step in the start queue (0 = next). */
  queuePosition(runId: string, step: string): number | null {
    const i = this.queue.indexOf(key(runId, step));
    return i < 0 ? null : i;
  }

  /** The start queue in order, with why each step waits. */
  queueEntries(): QueueEntry[] {
    return this.queueInfo.map(e => ({ ...e }));
  }

  /** What running steps hold of the machine, or null before the engine was first reached. */
  reserved(): { cpus: number; memoryBytes: number; gpuIds: string[] } | null {
    return this.pool?.reserved() ?? null;
  }

  /** The steps holding resources now. */
  runningUses(): StepUse[] {
    return [...this.active.values()].map(a => a.use);
  }

  /** Asks for a pass; passes asked for while one is waiting collapse into it. */
  kick(): void {
    if (this.stopped || this.pending) return;
    this.pending = true;
    void this.exclusive(async () => {
      this.pending = false;
      if (!this.stopped) await this.pass();
    }).catch(err => this.deps.logger.error({ err }, 'scheduler pass failed'));
  }

  /** Waits for the passes asked for so far (tests, cancel). */
  async settled(): Promise<void> {
    await this.exclusive(async () => undefined);
  }

  private later(ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.kick();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private emit(run: RunState, extra: Partial<Extract<ServerEvent, { type: 'run' }>> = {}): void {
    this.deps.events.publish(run.owner, { type: 'run', runId: run.id, name: run.name, status: run.status, ...extra });
  }

  private async patchStep(run: RunState, step: StepState, patch: StepPatch): Promise<void> {
    // Tracked run first: a crash before the store update re-runs (and re-ends) the step.
    if (this.deps.tracking && patch.status && TERMINAL_STEP.has(patch.status)) {
      await this.deps.tracking.ended(run, { ...step, ...patch } as StepState);
    }
    await this.q.updateStep(run.id, step.name, patch);
    Object.assign(step, patch);
    this.emit(run, { step: step.name, stepStatus: step.status });
  }

  private async patchRun(run: RunState, patch: Partial<RunState>): Promise<void> {
    await this.q.updateRun(run.id, patch);
    Object.assign(run, patch);
    this.emit(run, run.error && patch.status && TERMINAL_RUN.has(patch.status) ? { error: run.error } : {});
  }

  private async ensurePool(): Promise<ResourcePool | undefined> {
    const info = await this.deps.runtime.info();
    if (info.state !== 'running') {
      return undefined;
    }
    const capacity = { cpus: info.capacity.cpus, memoryBytes: info.capacity.memoryBytes, gpus: info.capacity.gpus.map(g => g.id) };
    if (this.pool) this.pool.setCapacity(capacity);
    else this.pool = new ResourcePool(capacity, this.deps.defaultCpus ?? 0.5);
    return this.pool;
  }

  /**
   * After a start (or a crash): steps marked running are followed again through their container
   * (found by labels, same attempt); a step whose container is gone is queued again and its next
   * start counts as a new attempt. Then a pass schedules the rest.
   */
  async recover(): Promise<void> {
    await this.exclusive(async () => {
      const pool = await this.ensurePool();
      for (const run of await this.q.active()) {
        if (run.sweep || run.status !== 'running') continue;
        for (const step of await this.q.steps(run.id)) {
          if (step.status !== 'running' || this.active.has(key(run.id, step.name))) continue;
          const found = await this.deps.runtime
            .listManaged({ [LABEL_RUN]: run.id, [LABEL_STEP]: step.name, [LABEL_ATTEMPT]: String(step.attempt) })
            .catch(() => []);
          if (found.length > 0 && pool) {
            const containerId = found[0].id;
            this.deps.logger.info({ run: run.id, step: step.name, attempt: step.attempt }, 'reattaching to a running step');
            await this.patchStep(run, step, { containerId });
            // Metered from the container's own start, not from this restart (nothing of this attempt was metered yet).
            const started = (await this.deps.runtime.get(containerId).catch(() => null))?.startedAt;
            this.launch(
              run,
              step,
              pool.forceReserve(step.spec.resources),
              (job, signal) => this.deps.executor.reattach(containerId, job, signal),
              started ? new Date(started) : undefined
            );
          } else {
            this.deps.logger.warn({ run: run.id, step: step.name }, 'the container of a running step is gone: retrying it');
            await this.patchStep(run, step, {
              status: 'queued',
              queuedAt: this.now(),
              error: { message: 'The step container disappeared while the server was down; retrying' }
            });
          }
        }
      }
    });
    this.kick();
  }

  private async pass(): Promise<void> {
    const runs = await this.q.active();
    const byId = new Map(runs.map(r => [r.id, r]));
    const runningChildren = new Map<string, number>();
    for (const r of runs) {
      if (r.parentId && r.status === 'running') runningChildren.set(r.parentId, (runningChildren.get(r.parentId) ?? 0) + 1);
    }
    const queued: { run: RunState; step: StepState }[] = [];
    for (const run of runs) {
      if (run.sweep) continue;
      if (run.status === 'queued') {
        const parent = run.parentId ? byId.get(run.parentId) : undefined;
        if (parent?.sweep) {
          const n = runningChildren.get(parent.id) ?? 0;
          if (n >= parent.sweep.maxParallel) continue;
          runningChildren.set(parent.id, n + 1);
        }
        await this.patchRun(run, { status: 'running', startedAt: this.now() });
      }
      const steps = await this.advance(run);
      for (const step of steps) if (step.status === 'queued') queued.push({ run, step });
    }
    for (const run of runs) if (run.sweep) await this.updateParent(run);
    await this.startQueued(queued);
  }

  /** Moves pending steps on (skipped / cached / queued) and finishes the run when nothing is left. */
  private async advance(run: RunState): Promise<StepState[]> {
    const steps = await this.q.steps(run.id);
    const byName = new Map(steps.map(s => [s.name, s]));
    let changed = true;
    while (changed) {
      changed = false;
      for (const step of steps) {
        if (step.status !== 'pending') continue;
        const ups = step.dependsOn.map(n => byName.get(n)?.status ?? 'succeeded');
        if (ups.some(s => s === 'failed' || s === 'skipped' || s === 'cancelled')) {
          await this.patchStep(run, step, { status: 'skipped', finishedAt: this.now() });
          changed = true;
        } else if (ups.every(s => s === 'succeeded')) {
          await this.ready(run, step, steps);
          changed = true;
        }
      }
    }
    if (steps.every(s => TERMINAL_STEP.has(s.status)) && !this.hasActive(run.id)) {
      await this.finish(run, steps);
    }
    return steps;
  }

  private hasActive(runId: string): boolean {
    for (const k of this.active.keys()) if (k.startsWith(`${runId}/`)) return true;
    return false;
  }

  /** A step whose upstreams succeeded: reuse an identical execution, or queue it. */
  private async ready(run: RunState, step: StepState, steps: StepState[]): Promise<void> {
    let inputs: { name: string; hash: string }[];
    try {
      inputs = inputHashes(step, steps);
    } catch (err) {
      await this.patchStep(run, step, { status: 'failed', finishedAt: this.now(), error: { message: (err as Error).message } });
      return;
    }
    const ck = cacheKey(step, inputs);
    const hit = run.cache && step.spec.cache ? await this.q.findCached(run.owner, ck, run.id) : undefined;
    if (hit) {
      const now = this.now();
      await this.patchStep(run, step, {
        status: 'succeeded',
        cacheKey: ck,
        cachedFrom: hit.cachedFrom ?? hit.runId,
        outputs: hit.outputs,
        executedNotebook: hit.executedNotebook,
        exitCode: hit.exitCode,
        imageDigest: hit.imageDigest,
        startedAt: now,
        finishedAt: now
      });
      return;
    }
    await this.patchStep(run, step, { status: 'queued', cacheKey: ck, queuedAt: this.now() });
  }

  private async finish(run: RunState, steps: StepState[]): Promise<void> {
    const failed = steps.find(s => s.status === 'failed');
    const status: RunStatus = failed ? 'failed' : steps.some(s => s.status === 'cancelled' || s.status === 'skipped') ? 'cancelled' : 'succeeded';
    const summary = failed ? errorSummary(failed.error) : null;
    await this.patchRun(run, {
      status,
      finishedAt: this.now(),
      error: failed ? `Step "${failed.name}" failed${summary ? `: ${summary}` : ''}` : null
    });
    // A finished sweep child frees a slot: admit the next one in another pass.
    if (run.parentId) this.later(0);
  }

  /** A sweep parent: running once a child runs, finished when every child is. */
  private async updateParent(parent: RunState): Promise<void> {
    const children = await this.q.children(parent.id);
    const done = children.filter(c => TERMINAL_RUN.has(c.status));
    if (done.length === children.length) {
      const failed = done.filter(c => c.status === 'failed').length;
      const status: RunStatus = failed ? 'failed' : done.some(c => c.status === 'cancelled') ? 'cancelled' : 'succeeded';
      await this.patchRun(parent, {
        status,
        startedAt: parent.startedAt ?? this.now(),
        finishedAt: this.now(),
        error: failed ? `${failed} of ${children.length} runs failed` : null
      });
    } else if (parent.status === 'queued' && children.some(c => c.status !== 'queued')) {
      await this.patchRun(parent, { status: 'running', startedAt: this.now() });
    }
  }

  /**
   * Starts queued steps by priority, FIFO within a priority, while they fit; the first that does
   * not fit the machine blocks the rest. A step held back by its owner's quota waits, and so do
   * that owner's later steps, without blocking other owners' steps.
   */
  private async startQueued(queued: { run: RunState; step: StepState }[]): Promise<void> {
    queued.sort(
      (a, b) =>
        PRIORITY_RANK[priorityOf(a.run)] - PRIORITY_RANK[priorityOf(b.run)] ||
        (a.step.queuedAt ?? '').localeCompare(b.step.queuedAt ?? '') ||
        a.run.id.localeCompare(b.run.id) ||
        a.step.position - b.step.position
    );
    const pool = queued.length ? await this.ensurePool() : this.pool;
    const waiting: string[] = [];
    const info: QueueEntry[] = [];
    const wait = (run: RunState, step: StepState, reason: QueueEntry['reason'], message: string): void => {
      waiting.push(key(run.id, step.name));
      info.push({
        position: info.length + 1,
        runId: run.id,
        step: step.name,
        owner: run.owner,
        priority: priorityOf(run),
        reason,
        message,
        resources: step.spec.resources,
        queuedAt: step.queuedAt
      });
    };
    let blocked = !pool;
    const heldByQuota = new Set<string>();
    if (!pool && queued.length) this.later(2000);
    for (const { run, step } of queued) {
      const k = key(run.id, step.name);
      const at = this.retryAt.get(k);
      if (at !== undefined && at > Date.now()) {
        wait(run, step, 'retry', 'Waiting to retry after a failed attempt');
        continue;
      }
      if (heldByQuota.has(run.owner)) {
        // FIFO within an owner: a later (even smaller) step does not pass one waiting on quota.
        wait(run, step, 'quota', `Waiting behind an earlier step of ${run.owner} that waits on quota`);
        continue;
      }
      const quota = pool && this.deps.admission ? this.deps.admission.quotaWait(run.owner, pool.wants(step.spec.resources)) : null;
      if (quota) {
        heldByQuota.add(run.owner);
        wait(run, step, 'quota', `Waiting until ${quota}`);
        continue;
      }
      const reservation = blocked ? null : pool!.tryReserve(step.spec.resources);
      if (!reservation) {
        // The first step that does not fit may take the place of preemptible work.
        if (!blocked && pool && run.submit.preemptible !== true && this.preemptFor(pool, pool.wants(step.spec.resources))) {
          blocked = true;
          wait(run, step, 'capacity', 'Waiting for preemptible work to yield its CPUs, memory or GPUs');
          continue;
        }
        blocked = true;
        wait(run, step, 'capacity', pool ? 'Waiting for CPUs, memory or GPUs held by running work' : 'Waiting for the container engine');
        continue;
      }
      this.retryAt.delete(k);
      await this.patchStep(run, step, {
        status: 'running',
        attempt: step.attempt + 1,
        containerId: null,
        exitCode: null,
        oomKilled: false,
        startedAt: step.startedAt ?? this.now()
      });
      this.launch(run, step, reservation, (job, signal) =>
        this.deps.executor.run(job, signal, containerId => {
          void this.q.updateStep(run.id, step.name, { containerId }).catch(() => undefined);
        })
      );
    }
    this.queue = waiting;
    this.queueInfo = info;
  }

  private launch(
    run: RunState,
    step: StepState,
    reservation: Reservation,
    exec: (job: StepJob, signal: AbortSignal) => Promise<StepOutcome>,
    reattachedFrom?: Date
  ): void {
    const k = key(run.id, step.name);
    const use: StepUse = {
      owner: run.owner,
      runId: run.id,
      step: step.name,
      attempt: step.attempt,
      project: projectOf(run),
      preemptible: run.submit.preemptible === true,
      resources: step.spec.resources,
      reservation,
      startedAt: reattachedFrom ?? this.deps.clock?.() ?? new Date()
    };
    const entry = { controller: new AbortController(), reservation, use, cancelled: false } as Active;
    this.active.set(k, entry);
    this.deps.admission?.started(use);
    entry.done = (async () => {
      let outcome: StepOutcome | undefined;
      let failure: unknown;
      try {
        const steps = await this.q.steps(run.id);
        const job = await buildJob(this.deps.artifacts, run, step, steps, reservation);
        const tracked = await this.deps.tracking?.attempt(run, step, { reattach: reattachedFrom !== undefined });
        if (tracked) Object.assign(job, { env: { ...job.env, ...tracked.env }, stepNetwork: tracked.network });
        outcome = await exec(job, entry.controller.signal);
      } catch (err) {
        failure = err;
      }
      this.active.delete(k);
      this.pool?.release(reservation);
      if (this.stopped) return;
      await this.deps.admission
        ?.finished(use, meteredEnd(use, outcome, reattachedFrom !== undefined, this.deps.clock?.() ?? new Date()))
        .catch(err => this.deps.logger.error({ err, run: run.id, step: step.name }, 'metering a step failed'));
      await this.exclusive(() =>
        entry.preempted && !entry.cancelled ? this.requeuePreempted(run, step) : this.settle(run, step, entry.cancelled, outcome, failure, entry.reason)
      );
      this.kick();
    })().catch(err => this.deps.logger.error({ err, run: run.id, step: step.name }, 'settling a step failed'));
  }

  /**
   * A preempted step goes back to the queue (behind what is already waiting) with its attempt
   * given back: being preempted is not a failure. Its run's finished steps stay as they are.
   */
  private async requeuePreempted(run: RunState, step: StepState): Promise<void> {
    this.deps.logger.info({ run: run.id, step: step.name, attempt: step.attempt }, 'preempted step requeued');
    await this.patchStep(run, step, {
      status: 'queued',
      queuedAt: this.now(),
      attempt: Math.max(0, step.attempt - 1),
      containerId: null,
      error: { message: 'Preempted to make room for non-preemptible work; requeued' }
    });
  }

  /**
   * Stops preemptible steps until `demand` fits, newest first. True when enough capacity is on its
   * way back (steps already being preempted count); false (nothing stopped) when even all of them
   * would not make room.
   */
  private preemptFor(pool: ResourcePool, demand: Demand): boolean {
    const candidates = [...this.active.values()]
      .filter(a => a.use.preemptible && !a.cancelled)
      .map(a => ({ entry: a, startedAt: a.use.startedAt, reservation: a.reservation, preempted: a.preempted === true }));
    const chosen = choosePreemptions(pool.free(), demand, candidates);
    for (const { entry } of chosen ?? []) {
      this.deps.logger.info({ run: entry.use.runId, step: entry.use.step }, 'preempting a step for non-preemptible work');
      entry.preempted = true;
      entry.controller.abort();
    }
    return chosen !== null;
  }

  /** Records an attempt's outcome: succeeded, cancelled, retried after a backoff, or failed. */
  private async settle(
    run: RunState,
    step: StepState,
    cancelled: boolean,
    outcome?: StepOutcome,
    failure?: unknown,
    reason?: string
  ): Promise<void> {
    const now = this.now();
    const base: StepPatch = {
      exitCode: outcome?.exitCode ?? null,
      oomKilled: outcome?.oomKilled ?? false,
      containerId: outcome?.containerId ?? step.containerId,
      executedNotebook: outcome?.executedNotebook ?? null,
      imageDigest: outcome?.imageDigest ?? step.imageDigest
    };
    if (cancelled || outcome?.status === 'cancelled') {
      await this.patchStep(run, step, { ...base, status: 'cancelled', finishedAt: now, ...(reason ? { error: { message: reason } } : {}) });
      return;
    }
    if (outcome?.status === 'succeeded') {
      await this.patchStep(run, step, { ...base, status: 'succeeded', outputs: outcome.outputs, error: null, finishedAt: now });
      return;
    }
    const gone = failure instanceof ContainerGone;
    const error = outcome?.error ?? {
      message: gone ? 'The step container disappeared' : `The step could not run: ${(failure as Error)?.message ?? 'unknown error'}`
    };
    if (outcome?.timedOut && !error.message.toLowerCase().includes('time')) {
      error.message = `Timed out after ${step.spec.timeoutSeconds} s. ${error.message}`;
    }
    const retry = step.spec.retry;
    const notebookError = Boolean(error.ename) || (error.cellIndex !== undefined && error.cellIndex !== null);
    const retriable = notebookError ? (retry.onExitCodes ?? []).includes(outcome?.exitCode ?? -1) : true;
    const limit = gone ? MAX_ATTEMPTS : Math.min(retry.attempts, MAX_ATTEMPTS);
    if (retriable && step.attempt < limit) {
      const delayMs = retry.backoffSeconds * 1000 * 2 ** (step.attempt - 1);
      this.retryAt.set(key(run.id, step.name), Date.now() + delayMs);
      this.deps.logger.info({ run: run.id, step: step.name, attempt: step.attempt, delayMs }, 'retrying a failed step');
      await this.patchStep(run, step, { ...base, status: 'queued', queuedAt: now, error });
      this.later(delayMs + 5);
      return;
    }
    await this.patchStep(run, step, { ...base, status: 'failed', error, finishedAt: now });
  }

  /** Cancels a run (every unfinished step) or one step; waits until their containers are gone. */
  async cancel(runId: string, stepName?: string, reason?: string): Promise<void> {
    const waits = await this.exclusive(async () => {
      const out: Promise<void>[] = [];
      const run = await this.q.get(runId);
      if (!run || TERMINAL_RUN.has(run.status)) return out;
      if (run.sweep) {
        for (const child of await this.q.children(run.id)) {
          if (!TERMINAL_RUN.has(child.status)) out.push(this.cancel(child.id, undefined, reason));
        }
        return out;
      }
      for (const step of await this.q.steps(run.id)) {
        if (stepName !== undefined && step.name !== stepName) continue;
        const entry = this.active.get(key(run.id, step.name));
        if (entry) {
          entry.cancelled = true;
          entry.reason ??= reason;
          entry.controller.abort();
          out.push(entry.done);
        } else if (!TERMINAL_STEP.has(step.status)) {
          await this.patchStep(run, step, { status: 'cancelled', finishedAt: this.now() });
        }
      }
      if (run.status === 'queued' && stepName === undefined) {
        await this.patchRun(run, { status: 'cancelled', finishedAt: this.now() });
      }
      return out;
    });
    await Promise.race([Promise.all(waits), new Promise(resolve => setTimeout(resolve, CANCEL_WAIT_MS).unref())]);
    this.kick();
    await this.settled();
  }

  /** Stops scheduling. Running containers are left alone: the next start reattaches to them. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.settled();
  }
}
