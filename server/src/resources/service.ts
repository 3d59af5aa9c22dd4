import type { ServerEvent } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { StepResources } from '../runs/model';
import type { Admission, QueueEntry, StepUse } from '../runs/scheduler';
import type { Runtime } from '../runtime/runtime';
import type { ResourceConfig } from './config';
import { OtherRunning, type OtherUse } from './others';
import type { ProfileService } from './profiles';
import { QuotaLedger, type Demand } from './quotas';
import { monthOf, UsageQueries } from './usage';

export type { OtherUse } from './others';

/** What the service needs of the scheduler (set once both exist). */
export interface SchedulerView {
  queueEntries(): QueueEntry[];
  runningUses(): StepUse[];
  reserved(): { cpus: number; memoryBytes: number; gpuIds: string[] } | null;
  cancel(runId: string, step?: string, reason?: string): Promise<void>;
}

export interface ResourcesDeps {
  config: ResourceConfig;
  profiles: ProfileService;
  db: ConstructorParameters<typeof UsageQueries>[0];
  runtime: Runtime;
  logger: Logger;
  events: { publish(user: string, event: ServerEvent): void };
  /** CPUs a step that asks for none holds (the scheduler's default, 0.5). */
  defaultCpus?: number;
  clock?: () => Date;
  /** How often running work is metered against budgets (default 1000 ms). */
  meterMs?: number;
}

export interface BudgetState {
  scope: 'user' | 'team' | 'project';
  name: string;
  period: string;
  limit: number;
  spent: number;
  fraction: number;
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * Quotas, metering, budgets and alerts. The scheduler asks it whether a step's owner may take
 * more now (`quotaWait`), tells it when steps start and end (`started`/`finished`), and the
 * submitter asks it whether a submission can ever run (`checkSubmit`).
 */
export class ResourcesService implements Admission {
  readonly quotas: QuotaLedger;
  readonly usage: UsageQueries;
  private scheduler: SchedulerView | undefined;
  private timer: NodeJS.Timeout | undefined;
  private metering: Promise<void> = Promise.resolve();
  private readonly otherWork = new OtherRunning();

  constructor(private readonly deps: ResourcesDeps) {
    this.quotas = new QuotaLedger(deps.config);
    this.usage = new UsageQueries(deps.db);
  }

  get config(): ResourceConfig {
    return this.deps.config;
  }

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  attach(scheduler: SchedulerView): void {
    this.scheduler = scheduler;
  }

  /** Registers running work the scheduler does not know (workspaces/metering.ts). */
  addRunning(source: () => OtherUse[]): void {
    this.otherWork.add(source);
  }

  private others(): OtherUse[] {
    return this.otherWork.all();
  }

  /** Running work outside the scheduler (workspaces), for `GET /resources`. */
  otherRunning(): OtherUse[] {
    return this.others();
  }

  /** The engine as the run scheduler sees it: less what other running work (workspaces) holds (others.ts). */
  schedulerRuntime(runtime: Runtime): Runtime {
    return this.otherWork.schedulerRuntime(runtime);
  }

  /** Meters running work against budgets every `meterMs` while any runs (no-op without budgets). */
  watchBudgets(): void {
    if (!this.timer && this.hasBudgets()) {
      this.timer = setInterval(() => this.meterLive(), this.deps.meterMs ?? 1000);
      this.timer.unref();
    }
  }

  /** What holds a user's quotas now (their and their teammates' running steps and other work), for messages. */
  quotaHolders(owner: string): string[] {
    const users = new Set([owner, ...this.quotas.teamsOf(owner).flatMap(t => this.deps.config.teams[t] ?? [])]);
    return [
      ...(this.scheduler?.runningUses() ?? []).filter(u => users.has(u.owner)).map(u => `run ${u.runId} step ${u.step} of ${u.owner}`),
      ...this.others()
        .filter(o => users.has(o.owner))
        .map(o => `${o.label} of ${o.owner}`)
    ];
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  demandOf(r: StepResources): Demand {
    return {
      cpus: r.cpus ?? this.deps.defaultCpus ?? 0.5,
      memoryBytes: r.memoryBytes ?? 0,
      gpus: r.gpus ?? 0
    };
  }

  // ---- admission (called by the scheduler) ----

  quotaWait(owner: string, demand: Demand): string | null {
    return this.quotas.waitReason(owner, demand);
  }

  started(use: StepUse): void {
    const r = use.reservation;
    this.quotas.take(use.owner, {
      cpus: r.cpus,
      memoryBytes: r.memoryBytes,
      gpus: r.gpuIds.length
    });
    this.watchBudgets();
  }

  async finished(use: StepUse, finishedAt: Date): Promise<void> {
    const r = use.reservation;
    this.quotas.release(use.owner, {
      cpus: r.cpus,
      memoryBytes: r.memoryBytes,
      gpus: r.gpuIds.length
    });
    await this.usage.record({
      owner: use.owner,
      project: use.project,
      runId: use.runId,
      step: use.step,
      attempt: use.attempt,
      profile: use.resources.profile ?? null,
      preemptible: use.preemptible,
      pricePerHour: this.priceOf(use),
      cpus: r.cpus,
      memoryBytes: r.memoryBytes,
      gpus: r.gpuIds.length,
      startedAt: use.startedAt,
      finishedAt
    });
    await this.checkBudgets(use.owner, use.project);
    if (this.scheduler && this.scheduler.runningUses().length === 0 && this.others().length === 0) this.close();
  }

  priceOf(use: Pick<StepUse, 'resources' | 'preemptible'>): number {
    return this.deps.profiles.priceOf(use.resources, use.preemptible);
  }

  // ---- submission ----

  /** 422 exceeds_quota when one step alone is larger than a quota; 403 budget_exceeded at 100% of a budget. */
  async checkSubmit(owner: string, project: string, steps: { name: string; resources: StepResources }[]): Promise<void> {
    for (const step of steps) {
      const over = this.quotas.neverFits(owner, this.demandOf(step.resources));
      if (over) {
        const whose = over.scope.scope === 'user' ? `the quota of ${over.scope.name}` : `the quota of team ${over.scope.name}`;
        throw new AppError(
          422,
          'exceeds_quota',
          `Step "${step.name}" asks for ${over.requested} ${over.resource} but ${whose} allows ${over.limit} at once`,
          {
            step: step.name,
            resource: over.resource,
            requested: over.requested,
            limit: over.limit,
            scope: over.scope.scope,
            name: over.scope.name
          }
        );
      }
    }
    await this.checkBudget(owner, project);
  }

  /** 403 budget_exceeded when a budget covering the owner's work (on the project) is used up. */
  async checkBudget(owner: string, project?: string): Promise<void> {
    for (const b of await this.budgetsCovering(owner, project)) {
      if (b.fraction >= 1) {
        throw new AppError(
          403,
          'budget_exceeded',
          `The ${b.scope === 'user' ? `budget of ${b.name}` : `${b.scope} budget of ${b.name}`} for ${b.period} is used up ($${b.spent.toFixed(2)} of $${b.limit.toFixed(2)}): new work is refused until next month or a larger budget`,
          b
        );
      }
    }
  }

  // ---- budgets ----

  private hasBudgets(): boolean {
    const b = this.deps.config.budgets;
    return Object.keys(b.users).length + Object.keys(b.teams).length + Object.keys(b.projects).length > 0;
  }

  private ownersOf(scope: 'user' | 'team', name: string): string[] {
    return scope === 'user' ? [name] : (this.deps.config.teams[name] ?? []);
  }

  /** What running work has cost so far this month, for a budget. */
  private runningCost(scope: BudgetState['scope'], name: string, month: string): number {
    const now = this.now();
    let sum = 0;
    for (const use of this.scheduler?.runningUses() ?? []) {
      const covered = scope === 'project' ? use.project === name : this.ownersOf(scope, name).includes(use.owner);
      if (!covered || monthOf(use.startedAt) !== month) continue;
      sum += (Math.max(0, now.getTime() - use.startedAt.getTime()) / 3_600_000) * this.priceOf(use);
    }
    for (const o of this.others()) {
      const covered = scope === 'project' ? o.project === name : this.ownersOf(scope, name).includes(o.owner);
      if (covered && monthOf(o.startedAt) === month) sum += (Math.max(0, now.getTime() - o.startedAt.getTime()) / 3_600_000) * o.pricePerHour;
    }
    return sum;
  }

  async budgetState(scope: BudgetState['scope'], name: string, limit: number, month = monthOf(this.now())): Promise<BudgetState> {
    const stored =
      scope === 'project'
        ? await this.usage.spent(month, { project: name })
        : await this.usage.spent(month, { owners: this.ownersOf(scope, name) });
    const spent = round(stored + this.runningCost(scope, name, month));
    return {
      scope,
      name,
      period: month,
      limit,
      spent,
      fraction: limit > 0 ? round(spent / limit) : spent > 0 ? 1 : 0
    };
  }

  /** What a user spent this month, running work included. */
  async spentThisMonth(user: string): Promise<{ user: string; period: string; spent: number }> {
    const b = await this.budgetState('user', user, 0);
    return { user, period: b.period, spent: b.spent };
  }

  /** The budgets that cover a user's work on a project: theirs, their teams', the project's. */
  async budgetsCovering(owner: string, project?: string): Promise<BudgetState[]> {
    const b = this.deps.config.budgets;
    const out: BudgetState[] = [];
    if (b.users[owner] !== undefined) out.push(await this.budgetState('user', owner, b.users[owner]));
    for (const team of this.quotas.teamsOf(owner)) {
      if (b.teams[team] !== undefined) out.push(await this.budgetState('team', team, b.teams[team]));
    }
    if (project !== undefined && b.projects[project] !== undefined)
      out.push(await this.budgetState('project', project, b.projects[project]));
    return out;
  }

  /** Every budget (admins) or those covering the user (theirs, their teams', projects they spent on). */
  async budgets(user: string | undefined): Promise<BudgetState[]> {
    const b = this.deps.config.budgets;
    const out: BudgetState[] = [];
    const teams = user === undefined ? Object.keys(b.teams) : this.quotas.teamsOf(user).filter(t => b.teams[t] !== undefined);
    for (const [name, limit] of Object.entries(b.users))
      if (user === undefined || name === user) out.push(await this.budgetState('user', name, limit));
    for (const team of teams) out.push(await this.budgetState('team', team, b.teams[team]));
    for (const [name, limit] of Object.entries(b.projects)) {
      if (user === undefined) out.push(await this.budgetState('project', name, limit));
    }
    return out;
  }

  /** Raises the alerts a user's work crossed (once per threshold and month) and stops work at 100% if configured. */
  async checkBudgets(owner: string, project: string): Promise<void> {
    for (const b of await this.budgetsCovering(owner, project)) {
      const recipients = b.scope === 'team' ? this.ownersOf('team', b.name) : [owner];
      for (const threshold of this.deps.config.thresholds) {
        if (b.fraction + 1e-9 < threshold) continue;
        const pct = Math.round(threshold * 100);
        const what = b.scope === 'user' ? `Your budget` : `The ${b.scope} budget of ${b.name}`;
        const stop = threshold >= 1 && this.deps.config.stopRunningAtBudget;
        const message =
          threshold >= 1
            ? `${what} for ${b.period} is used up: $${b.spent.toFixed(2)} of $${b.limit.toFixed(2)}. New work is refused${stop ? ' and running work was stopped' : ''}.`
            : `${what} for ${b.period} is ${pct}% used: $${b.spent.toFixed(2)} of $${b.limit.toFixed(2)}.`;
        for (const recipient of recipients) {
          const alert = {
            recipient,
            scope: b.scope,
            name: b.name,
            period: b.period,
            threshold,
            spent: b.spent,
            limit: b.limit,
            message,
            createdAt: this.now().toISOString()
          };
          if (await this.usage.raise(alert)) {
            this.deps.logger.info({ recipient, scope: b.scope, budget: b.name, threshold }, 'budget alert');
            this.deps.events.publish(recipient, {
              type: 'alert',
              scope: b.scope,
              name: b.name,
              period: b.period,
              threshold,
              spent: b.spent,
              limit: b.limit,
              message
            });
          }
        }
      }
      if (b.fraction >= 1 && this.deps.config.stopRunningAtBudget) this.stopCovered(b);
    }
  }

  /** Cancels the running work a used-up budget covers (not awaited: the scheduler settles it). */
  private stopCovered(b: BudgetState): void {
    for (const use of this.scheduler?.runningUses() ?? []) {
      const covered = b.scope === 'project' ? use.project === b.name : this.ownersOf(b.scope, b.name).includes(use.owner);
      if (!covered) continue;
      this.deps.logger.warn({ run: use.runId, step: use.step, scope: b.scope, budget: b.name }, 'budget used up: stopping running work');
      const reason = `Stopped: the ${b.scope} budget of ${b.name} for ${b.period} is used up ($${b.spent.toFixed(2)} of $${b.limit.toFixed(2)})`;
      void this.scheduler!.cancel(use.runId, undefined, reason).catch(err =>
        this.deps.logger.error({ err, run: use.runId }, 'stopping work at budget failed')
      );
    }
    for (const o of this.others()) {
      const covered = b.scope === 'project' ? o.project === b.name : this.ownersOf(b.scope, b.name).includes(o.owner);
      if (!covered) continue;
      this.deps.logger.warn({ work: o.label, owner: o.owner, scope: b.scope, budget: b.name }, 'budget used up: stopping running work');
      const reason = `Stopped: the ${b.scope} budget of ${b.name} for ${b.period} is used up ($${b.spent.toFixed(2)} of $${b.limit.toFixed(2)})`;
      void o.stop(reason).catch(err => this.deps.logger.error({ err, work: o.label }, 'stopping work at budget failed'));
    }
  }

  /** While work runs, meters it against the budgets that cover it. */
  private meterLive(): void {
    this.metering = this.metering
      .then(async () => {
        const seen = new Set<string>();
        for (const use of [...(this.scheduler?.runningUses() ?? []), ...this.others()]) {
          const k = `${use.owner}\u0000${use.project}`;
          if (seen.has(k)) continue;
          seen.add(k);
          await this.checkBudgets(use.owner, use.project);
        }
      })
      .catch(err => this.deps.logger.error({ err }, 'metering running work failed'));
  }
}
