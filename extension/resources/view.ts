import type { ServerStatus } from '../../schema/generated/api';

/**
 * What the Resources section shows, read from `GET /resources` (or, while that route is not
 * served, from the status' engine capacity). Reading goes through `readResources` so the panel
 * depends on one normalised shape, not on every field name of the answer.
 */
export interface IResourcesView {
  /** Engine capacity and what running work has reserved of it. */
  capacity: IMeter[];
  queue: IQueueEntry[];
  /** The viewed user's metered cost this month and their budget, when budgets apply. */
  usage: { cost: number; budget: number | null; currency: string } | null;
  /** Whether the numbers come from the resources route (else only the engine's capacity). */
  fromResources: boolean;
  /** Whether the caller may look at other users' usage. */
  admin: boolean;
  users: string[];
}

export interface IMeter {
  kind: 'cpus' | 'memory' | 'gpus';
  used: number;
  total: number;
}

export interface IQueueEntry {
  position: number;
  runId: string;
  step: string;
  owner: string;
  reason: string;
  profile: string;
}

type Json = Record<string, unknown>;

const num = (value: unknown, fallback = 0): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const obj = (value: unknown): Json =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
/** GPUs are reported as a count or as a list of devices. */
const gpuCount = (value: unknown): number =>
  Array.isArray(value) ? value.length : num(value);

/**
 * Normalise a `GET /resources` answer.
 */
export function readResources(raw: unknown): IResourcesView {
  const data = obj(raw);
  const capacity = obj(data.capacity);
  const reserved = obj(data.reserved ?? capacity.reserved);
  const meters: IMeter[] = [
    { kind: 'cpus', used: num(reserved.cpus), total: num(capacity.cpus) },
    {
      kind: 'memory',
      used: num(reserved.memoryBytes),
      total: num(capacity.memoryBytes)
    },
    { kind: 'gpus', used: gpuCount(reserved.gpus), total: gpuCount(capacity.gpus) }
  ];
  const queue = (Array.isArray(data.queue) ? data.queue : []).map((item, index) => {
    const entry = obj(item);
    return {
      position: num(entry.position, index + 1),
      runId: str(entry.runId),
      step: str(entry.step),
      owner: str(entry.owner ?? entry.user),
      reason: str(entry.reason),
      profile: str(entry.profile)
    };
  });
  const usage = obj(data.usage);
  const budget = obj(data.budget ?? usage.budget);
  const hasUsage = data.usage !== undefined || data.budget !== undefined;
  const limit = num(budget.limit ?? budget.amount ?? budget.monthly, NaN);
  return {
    capacity: meters,
    queue,
    usage: hasUsage
      ? {
          cost: num(usage.cost ?? usage.total ?? budget.used),
          budget: Number.isFinite(limit) && limit > 0 ? limit : null,
          currency: str(budget.currency ?? usage.currency) || 'USD'
        }
      : null,
    fromResources: true,
    admin: data.admin === true,
    users: Array.isArray(data.users) ? data.users.filter(u => typeof u === 'string') : []
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
    usage: null,
    fromResources: false,
    admin: false,
    users: []
  };
}

/**
 * One day of metered cost, from `GET /usage`.
 */
export interface IUsageDay {
  day: string;
  cost: number;
}

/**
 * Normalise a `GET /usage` answer into cost per day (sorted, summed per day).
 */
export function readUsage(raw: unknown): IUsageDay[] {
  const data = obj(raw);
  const list: unknown[] = Array.isArray(raw)
    ? raw
    : Array.isArray(data.days)
      ? data.days
      : Array.isArray(data.points)
        ? data.points
        : Array.isArray(data.series)
          ? data.series
          : [];
  const byDay = new Map<string, number>();
  for (const item of list) {
    const point = obj(item);
    const when = str(point.day ?? point.date ?? point.at ?? point.from);
    if (!when) {
      continue;
    }
    const day = when.slice(0, 10);
    byDay.set(day, (byDay.get(day) ?? 0) + num(point.cost ?? point.amount));
  }
  return [...byDay.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, cost]) => ({ day, cost }));
}

/**
 * Budget thresholds marked on the budget bar.
 */
export const BUDGET_MARKS = [0.5, 0.8, 1];
