import type {
  BudgetState,
  QueuedStep,
  ResourcesOverview,
  ServerStatus,
  UsageSeries
} from '../../schema/generated/api';

/**
 * What the Resources section shows: `GET /resources` (or, when the server does not serve it,
 * the status' engine capacity) reduced to what the panel renders.
 */
export interface IResourcesView {
  /** Engine capacity and what running work has reserved of it; empty when the engine is down. */
  capacity: IMeter[];
  queue: QueuedStep[];
  /** Running steps (one's own; admins everyone's). */
  running: number;
  budgets: BudgetState[];
  /** Whether the numbers come from the resources route (else only the engine's capacity). */
  fromResources: boolean;
  /** Users seen in budgets, the queue and running work (for the admins' user selector). */
  users: string[];
}

export interface IMeter {
  kind: 'cpus' | 'memory' | 'gpus';
  used: number;
  total: number;
}

/**
 * Reduce a `GET /resources` answer to the view.
 */
export function readResources(data: ResourcesOverview): IResourcesView {
  const capacity = data.capacity;
  const users = new Set<string>();
  data.budgets.filter(b => b.scope === 'user').forEach(b => users.add(b.name));
  data.queue.forEach(q => users.add(q.owner));
  data.running.forEach(r => users.add(r.owner));
  return {
    capacity: capacity
      ? [
          { kind: 'cpus', used: data.reserved.cpus, total: capacity.cpus },
          { kind: 'memory', used: data.reserved.memoryBytes, total: capacity.memoryBytes },
          { kind: 'gpus', used: data.reserved.gpus.length, total: capacity.gpus.length }
        ]
      : [],
    queue: [...data.queue].sort((a, b) => a.position - b.position),
    running: data.running.length,
    budgets: data.budgets,
    fromResources: true,
    users: [...users].sort()
  };
}

/**
 * The capacity part only, from the server status (used while `/resources` is not served).
 */
export function readStatusCapacity(status: ServerStatus): IResourcesView {
  return {
    capacity: [
      { kind: 'cpus', used: 0, total: status.capacity.cpus },
      { kind: 'memory', used: 0, total: status.capacity.memoryBytes },
      { kind: 'gpus', used: 0, total: status.capacity.gpus.length }
    ],
    queue: [],
    running: 0,
    budgets: [],
    fromResources: false,
    users: []
  };
}

/**
 * One day of metered cost.
 */
export interface IUsageDay {
  day: string;
  cost: number;
}

/**
 * The days of a `GET /usage` answer, sorted.
 */
export function readUsage(series: UsageSeries): IUsageDay[] {
  return series.days
    .map(d => ({ day: d.day.slice(0, 10), cost: d.cost }))
    .sort((a, b) => a.day.localeCompare(b.day));
}

/**
 * Budget thresholds marked on the budget bars.
 */
export const BUDGET_MARKS = [0.5, 0.8, 1];
