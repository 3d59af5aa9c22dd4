import { AppError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { ProfileService } from '../resources/profiles';
import type { Demand } from '../resources/quotas';
import type { OtherUse, ResourcesService } from '../resources/service';

/** The fields of a workspace row metering needs. */
export interface Metered {
  id: string;
  owner: string;
  name: string;
  profile: string;
  started_at: string | null;
}

/** Workspaces have no project: their usage rows carry this one (no project budget covers it). */
export const WORKSPACE_PROJECT = '';
/** Usage rows of a workspace: run id `workspace:<id>`, step `workspace`, one row per start. */
export const usageRunId = (id: string): string => `workspace:${id}`;
export const USAGE_STEP = 'workspace';

interface Held {
  row: Metered;
  demand: Demand;
  startedAt: Date;
  /** Set once a budget stop was asked for: not asked again on the next metering tick. */
  stopping: boolean;
}

export interface MeterDeps {
  resources: ResourcesService;
  profiles: ProfileService;
  logger: Logger;
  /** Quota was released: queued steps may start now (the scheduler's `kick`). */
  released?: () => void;
}

/**
 * Workspaces against quotas and budgets, like runs: a start is refused when a budget is used up
 * (403 budget_exceeded) or the profile is larger than a quota (422 exceeds_quota) or the quota is
 * held by running work now (409 quota_busy: workspaces do not queue). A running workspace holds
 * its profile's CPUs and memory in the quota ledger until it stops; its lifetime × the profile's
 * price is one `usage` row per start.
 */
export class WorkspaceMeter {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly deps: MeterDeps,
    private readonly stop: (id: string, reason: string) => Promise<void>
  ) {
    deps.resources.addRunning(() => [...this.held.values()].filter(h => !h.stopping).map(h => this.use(h)));
  }

  demandOf(profile: string): Demand {
    const p = this.deps.profiles.get(profile);
    return { cpus: p?.cpus ?? 1, memoryBytes: p?.memoryBytes ?? 2 * 1024 ** 3, gpus: p?.gpus ?? 0 };
  }

  private price(profile: string): number {
    return this.deps.profiles.priceOf({ profile }, false);
  }

  private use(h: Held): OtherUse {
    return {
      owner: h.row.owner,
      project: WORKSPACE_PROJECT,
      label: `workspace "${h.row.name}"`,
      pricePerHour: this.price(h.row.profile),
      cpus: h.demand.cpus,
      memoryBytes: h.demand.memoryBytes,
      startedAt: h.startedAt,
      kind: 'workspace',
      id: h.row.id,
      name: h.row.name,
      profile: h.row.profile,
      stop: reason => {
        h.stopping = true;
        return this.stop(h.row.id, reason);
      }
    };
  }

  /** Refuses a start that budgets or quotas do not allow (before anything is written). */
  async check(row: Pick<Metered, 'owner' | 'name' | 'profile'>): Promise<void> {
    const { resources } = this.deps;
    await resources.checkBudget(row.owner);
    const over = resources.quotas.neverFits(row.owner, this.demandOf(row.profile));
    if (over) {
      const whose = over.scope.scope === 'user' ? `the quota of ${over.scope.name}` : `the quota of team ${over.scope.name}`;
      throw new AppError(
        422,
        'exceeds_quota',
        `Workspace "${row.name}" with profile ${row.profile} asks for ${over.requested} ${over.resource} but ${whose} allows ${over.limit} at once`,
        { workspace: row.name, resource: over.resource, requested: over.requested, limit: over.limit, scope: over.scope.scope, name: over.scope.name }
      );
    }
  }

  /**
   * Checks, then takes the profile's share of the owner's quotas (no await between the quota check
   * and the take: two starts cannot both pass). Idempotent per workspace.
   */
  async acquire(row: Metered, startedAt: Date): Promise<void> {
    if (this.held.has(row.id)) return;
    await this.check(row);
    if (this.held.has(row.id)) return;
    const { resources } = this.deps;
    const demand = this.demandOf(row.profile);
    const wait = resources.quotaWait(row.owner, demand);
    if (wait) {
      const holders = resources.quotaHolders(row.owner);
      throw new AppError(
        409,
        'quota_busy',
        `Workspace "${row.name}" cannot start now: ${wait}${holders.length ? ` by ${holders.join(', ')}` : ''}. Stop some of it and start again (workspaces do not queue).`,
        { workspace: row.name, holders }
      );
    }
    this.hold(row, demand, startedAt);
  }

  /** Takes the quota back for a workspace found running after a restart (whatever the quota says now). */
  reattach(row: Metered): void {
    if (this.held.has(row.id) || !row.started_at) return;
    this.hold(row, this.demandOf(row.profile), new Date(row.started_at));
  }

  private hold(row: Metered, demand: Demand, startedAt: Date): void {
    this.deps.resources.quotas.take(row.owner, demand);
    this.held.set(row.id, { row: { ...row }, demand, startedAt, stopping: false });
    this.deps.resources.watchBudgets();
  }

  /**
   * The workspace's container is gone: releases its quota share (if held) and records started →
   * finished once (the usage row's id is the start time, so a second call after a crash adds nothing).
   */
  async release(row: Metered, finishedAt: Date): Promise<void> {
    const h = this.held.get(row.id);
    if (h) {
      this.held.delete(row.id);
      this.deps.resources.quotas.release(row.owner, h.demand);
      this.deps.released?.();
    }
    const started = h?.startedAt ?? (row.started_at ? new Date(row.started_at) : null);
    if (!started) return;
    const demand = h?.demand ?? this.demandOf(row.profile);
    const { resources } = this.deps;
    await resources.usage.record({
      owner: row.owner,
      project: WORKSPACE_PROJECT,
      runId: usageRunId(row.id),
      step: USAGE_STEP,
      attempt: 1,
      profile: row.profile,
      preemptible: false,
      pricePerHour: this.price(row.profile),
      cpus: demand.cpus,
      memoryBytes: demand.memoryBytes,
      gpus: demand.gpus,
      startedAt: started,
      finishedAt: finishedAt.getTime() > started.getTime() ? finishedAt : started
    });
    await resources.checkBudgets(row.owner, WORKSPACE_PROJECT).catch(err => this.deps.logger.warn({ err: String(err) }, 'budget check failed'));
  }
}
