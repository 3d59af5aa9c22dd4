import type { BudgetState, QueuedStep, QuotaState, ResourcesOverview, RunningStep, UsageSeries } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import type { Runtime } from '../runtime/runtime';
import type { User } from '../store/users';
import type { ResourcesService, SchedulerView } from './service';
import type { AlertRecord } from './usage';

const DAY = /^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?$/;

/** `2026-11-22` or an ISO date-time → the UTC day, or null. */
function dayOf(text: string): string | null {
  if (!DAY.test(text)) return null;
  const t = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  return Number.isNaN(t) ? null : new Date(t).toISOString().slice(0, 10);
}
const MAX_DAYS = 400;

/** The read side of resources as the API shows it: users see their own things, admins everyone's. */
export class ResourcesApi {
  constructor(
    private readonly service: ResourcesService,
    private readonly scheduler: SchedulerView,
    private readonly runtime: Runtime,
    private readonly clock: () => Date = () => new Date()
  ) {}

  async overview(user: User, only?: string): Promise<ResourcesOverview> {
    if (only !== undefined && only !== user.name && !user.admin) throw AppError.forbidden('Only admins see the resources of others');
    const info = await this.runtime.info();
    const capacity =
      info.state === 'running'
        ? {
            cpus: info.capacity.cpus,
            memoryBytes: info.capacity.memoryBytes,
            gpus: info.capacity.gpus.map(g => g.id)
          }
        : null;
    const reserved = this.scheduler.reserved() ?? {
      cpus: 0,
      memoryBytes: 0,
      gpuIds: []
    };
    const mine = (owner: string): boolean => (only !== undefined ? owner === only : user.admin || owner === user.name);
    const running: RunningStep[] = this.scheduler
      .runningUses()
      .filter(u => mine(u.owner))
      .map(u => ({
        runId: u.runId,
        step: u.step,
        owner: u.owner,
        project: u.project,
        ...(u.resources.profile ? { profile: u.resources.profile } : {}),
        cpus: u.reservation.cpus,
        memoryBytes: u.reservation.memoryBytes,
        gpuIds: u.reservation.gpuIds,
        preemptible: u.preemptible,
        startedAt: u.startedAt.toISOString(),
        pricePerHour: this.service.priceOf(u)
      }));
    // Running workspaces (and any other work outside the scheduler that says what it is).
    for (const o of this.service.otherRunning()) {
      if (o.kind !== 'workspace' || !o.id || !mine(o.owner)) continue;
      running.push({
        kind: 'workspace',
        runId: `workspace:${o.id}`,
        step: 'workspace',
        workspace: { id: o.id, name: o.name ?? o.id },
        owner: o.owner,
        project: o.project,
        ...(o.profile ? { profile: o.profile } : {}),
        cpus: o.cpus,
        memoryBytes: o.memoryBytes,
        gpuIds: [],
        preemptible: false,
        startedAt: o.startedAt.toISOString(),
        pricePerHour: o.pricePerHour
      });
    }
    const queue: QueuedStep[] = this.scheduler
      .queueEntries()
      .filter(e => mine(e.owner))
      .map(e => {
        const d = this.service.demandOf(e.resources);
        return {
          position: e.position,
          runId: e.runId,
          step: e.step,
          owner: e.owner,
          priority: e.priority,
          reason: e.reason,
          message: e.message,
          cpus: d.cpus,
          memoryBytes: d.memoryBytes,
          gpus: d.gpus,
          queuedAt: e.queuedAt
        };
      });
    return {
      capacity,
      reserved: {
        cpus: Math.round(reserved.cpus * 1000) / 1000,
        memoryBytes: reserved.memoryBytes,
        gpus: reserved.gpuIds
      },
      running,
      queue,
      quotas: this.quotas(user),
      budgets: await this.budgets(user),
      usage: await this.service.spentThisMonth(only ?? user.name)
    };
  }

  quotas(user: User): QuotaState[] {
    const q = this.service.config.quotas;
    const scopes = user.admin
      ? [
          ...Object.entries(q.users).map(([name, limits]) => ({
            scope: 'user' as const,
            name,
            limits
          })),
          ...Object.entries(q.teams).map(([name, limits]) => ({
            scope: 'team' as const,
            name,
            limits
          }))
        ]
      : this.service.quotas.scopesOf(user.name);
    if (user.admin && q.default && !q.users[user.name]) scopes.unshift({ scope: 'user', name: user.name, limits: q.default });
    return scopes.map(s => {
      const used = this.service.quotas.used(s.scope, s.name);
      return {
        ...s,
        used: {
          cpus: Math.round(used.cpus * 1000) / 1000,
          memoryBytes: used.memoryBytes,
          gpus: used.gpus
        }
      };
    });
  }

  budgets(user: User): Promise<BudgetState[]> {
    return this.service.budgets(user.admin ? undefined : user.name);
  }

  async usageSeries(user: User, q: { from?: string; to?: string; user?: string }): Promise<UsageSeries> {
    const today = this.clock().toISOString().slice(0, 10);
    const day = (name: string, v: string): string => {
      const d = dayOf(v);
      if (!d) throw AppError.invalid(`${name} must be a day (YYYY-MM-DD) or an ISO date-time`, { [name]: v });
      return d;
    };
    const to = q.to === undefined ? today : day('to', q.to);
    const from = q.from === undefined ? `${to.slice(0, 8)}01` : day('from', q.from);
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
    if (days < 0 || days > MAX_DAYS) throw AppError.invalid(`from must be on or before to, at most ${MAX_DAYS} days apart`, { from, to });
    const target = q.user ?? user.name;
    if (target !== user.name && !user.admin) throw AppError.forbidden('Only admins see the usage of others');
    const rows = await this.service.usage.daily(from, to, target === '*' ? undefined : [target]);
    const byDay = new Map<string, { cost: number; seconds: number }>();
    for (const r of rows) {
      const d = byDay.get(r.day) ?? { cost: 0, seconds: 0 };
      byDay.set(r.day, {
        cost: d.cost + r.cost,
        seconds: d.seconds + r.seconds
      });
    }
    const out: UsageSeries['days'] = [];
    for (let t = Date.parse(from); t <= Date.parse(to); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      const d = byDay.get(day) ?? { cost: 0, seconds: 0 };
      out.push({
        day,
        cost: Math.round(d.cost * 1e6) / 1e6,
        seconds: Math.round(d.seconds * 1000) / 1000
      });
    }
    return {
      from,
      to,
      ...(target === '*' ? {} : { user: target }),
      total: Math.round(out.reduce((s, d) => s + d.cost, 0) * 1e6) / 1e6,
      days: out
    };
  }

  alerts(recipient: string | undefined): Promise<AlertRecord[]> {
    return this.service.usage.alerts(recipient);
  }
}
