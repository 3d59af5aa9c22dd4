import type { QuotaLimits } from '../../../schema/generated/api';
import type { ResourceConfig } from './config';

/** What one step holds while it runs (CPUs after the scheduler's default, bytes, GPU count). */
export interface Demand {
  cpus: number;
  memoryBytes: number;
  gpus: number;
}

/** One quota that applies to a user: their own (or the default) and each of their teams'. */
export interface QuotaScope {
  scope: 'user' | 'team';
  name: string;
  limits: QuotaLimits;
}

const EPS = 1e-9;
const ZERO: Demand = { cpus: 0, memoryBytes: 0, gpus: 0 };

/** Which limit a demand breaks, as a message, or null. */
function over(limits: QuotaLimits, used: Demand, want: Demand): string | null {
  if (limits.cpus !== undefined && used.cpus + want.cpus > limits.cpus + EPS) return `${limits.cpus} CPUs`;
  if (limits.memoryBytes !== undefined && used.memoryBytes + want.memoryBytes > limits.memoryBytes)
    return `${limits.memoryBytes} bytes of memory`;
  if (limits.gpus !== undefined && used.gpus + want.gpus > limits.gpus) return `${limits.gpus} GPUs`;
  return null;
}

/**
 * Concurrent quotas per user and per team: what running steps hold, counted per user, checked
 * against the user's quota (or the default one) and every team quota of the user's teams.
 */
export class QuotaLedger {
  private readonly held = new Map<string, Demand>();

  constructor(private readonly config: Pick<ResourceConfig, 'quotas' | 'teams'>) {}

  teamsOf(user: string): string[] {
    return Object.entries(this.config.teams)
      .filter(([, members]) => members.includes(user))
      .map(([team]) => team);
  }

  scopesOf(user: string): QuotaScope[] {
    const out: QuotaScope[] = [];
    const own = this.config.quotas.users[user] ?? this.config.quotas.default;
    if (own) out.push({ scope: 'user', name: user, limits: own });
    for (const team of this.teamsOf(user)) {
      const limits = this.config.quotas.teams[team];
      if (limits) out.push({ scope: 'team', name: team, limits });
    }
    return out;
  }

  /** What a user's (or a team's) running steps hold now. */
  used(scope: 'user' | 'team', name: string): Demand {
    const users = scope === 'user' ? [name] : (this.config.teams[name] ?? []);
    const sum = { ...ZERO };
    for (const u of users) {
      const h = this.held.get(u);
      if (h) {
        sum.cpus += h.cpus;
        sum.memoryBytes += h.memoryBytes;
        sum.gpus += h.gpus;
      }
    }
    return sum;
  }

  /** Why the step must wait for the user's or a team's running work to finish, or null. */
  waitReason(user: string, want: Demand): string | null {
    for (const q of this.scopesOf(user)) {
      const limit = over(q.limits, this.used(q.scope, q.name), want);
      if (limit) return `the ${q.scope === 'user' ? `quota of ${q.name}` : `quota of team ${q.name}`} (${limit}) is in use`;
    }
    return null;
  }

  /** A quota the step alone exceeds (so it could never start), or null. */
  neverFits(
    user: string,
    want: Demand
  ): {
    scope: QuotaScope;
    resource: string;
    requested: number;
    limit: number;
  } | null {
    for (const q of this.scopesOf(user)) {
      const l = q.limits;
      if (l.cpus !== undefined && want.cpus > l.cpus + EPS)
        return {
          scope: q,
          resource: 'cpus',
          requested: want.cpus,
          limit: l.cpus
        };
      if (l.memoryBytes !== undefined && want.memoryBytes > l.memoryBytes) {
        return {
          scope: q,
          resource: 'memoryBytes',
          requested: want.memoryBytes,
          limit: l.memoryBytes
        };
      }
      if (l.gpus !== undefined && want.gpus > l.gpus)
        return {
          scope: q,
          resource: 'gpus',
          requested: want.gpus,
          limit: l.gpus
        };
    }
    return null;
  }

  take(user: string, d: Demand): void {
    const h = this.held.get(user) ?? { ...ZERO };
    this.held.set(user, {
      cpus: h.cpus + d.cpus,
      memoryBytes: h.memoryBytes + d.memoryBytes,
      gpus: h.gpus + d.gpus
    });
  }

  release(user: string, d: Demand): void {
    const h = this.held.get(user);
    if (!h) return;
    const next = {
      cpus: Math.max(0, h.cpus - d.cpus),
      memoryBytes: Math.max(0, h.memoryBytes - d.memoryBytes),
      gpus: Math.max(0, h.gpus - d.gpus)
    };
    if (next.cpus < EPS && next.memoryBytes === 0 && next.gpus === 0) this.held.delete(user);
    else this.held.set(user, next);
  }
}
