import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import YAML from 'yaml';
import type { QuotaLimits, ResourceProfile, ServerConfig } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import { describeErrors, validatorFor } from '../core/schemas';
import { parseSize } from '../runs/resources';
import { BUILTIN_PROFILES } from './profiles';

export const DEFAULT_THRESHOLDS = [0.5, 0.8, 1.0];

/** The admin configuration, validated and with defaults filled in. */
export interface ResourceConfig {
  profiles: ResourceProfile[];
  teams: Record<string, string[]>;
  quotas: { default?: QuotaLimits; users: Record<string, QuotaLimits>; teams: Record<string, QuotaLimits> };
  budgets: { users: Record<string, number>; teams: Record<string, number>; projects: Record<string, number> };
  thresholds: number[];
  stopRunningAtBudget: boolean;
}

function invalid(source: string, message: string): AppError {
  return new AppError(500, 'invalid_config', `${source}: ${message}`);
}

/** Validates a parsed config object (server-config.json) and fills in the defaults. */
export function resourceConfig(raw: unknown, source = 'CONVEYOR_CONFIG'): ResourceConfig {
  const validate = validatorFor('server-config.json');
  if (!validate(raw ?? {})) {
    const [first] = describeErrors(validate.errors);
    throw invalid(source, `${first.path} ${first.message}`);
  }
  const c = (raw ?? {}) as ServerConfig;
  const profiles: ResourceProfile[] = c.profiles
    ? c.profiles.map(p => {
        const out: ResourceProfile = {
          name: p.name,
          description: p.description ?? `${p.cpus} CPU${p.cpus === 1 ? '' : 's'}, ${p.memory}${p.gpus?.count ? `, ${p.gpus.count} GPU` : ''}`,
          cpus: p.cpus,
          memory: p.memory,
          memoryBytes: parseSize(p.memory),
          gpus: p.gpus?.count ?? 0,
          pricePerHour: p.pricePerHour
        };
        if (p.preemptiblePricePerHour !== undefined) out.preemptiblePricePerHour = p.preemptiblePricePerHour;
        if (p.gpus?.type) out.gpuType = p.gpus.type;
        if (p.disk) out.disk = p.disk;
        return out;
      })
    : [...BUILTIN_PROFILES];
  const names = new Set<string>();
  profiles.forEach((p, i) => {
    if (names.has(p.name)) throw invalid(source, `/profiles/${i}/name "${p.name}" is defined twice`);
    names.add(p.name);
  });
  const teams = (c.teams ?? {}) as Record<string, string[]>;
  for (const kind of ['quotas', 'budgets'] as const) {
    for (const team of Object.keys((c[kind]?.teams ?? {}) as object)) {
      if (!teams[team]) throw invalid(source, `/${kind}/teams/${team} names a team that /teams does not define`);
    }
  }
  return {
    profiles,
    teams,
    quotas: {
      default: c.quotas?.default,
      users: (c.quotas?.users ?? {}) as Record<string, QuotaLimits>,
      teams: (c.quotas?.teams ?? {}) as Record<string, QuotaLimits>
    },
    budgets: {
      users: (c.budgets?.users ?? {}) as Record<string, number>,
      teams: (c.budgets?.teams ?? {}) as Record<string, number>,
      projects: (c.budgets?.projects ?? {}) as Record<string, number>
    },
    thresholds: [...new Set(c.alerts?.thresholds ?? DEFAULT_THRESHOLDS)].sort((a, b) => a - b),
    stopRunningAtBudget: c.stopRunningAtBudget ?? false
  };
}

/** Reads the file named by CONVEYOR_CONFIG (JSON, or YAML by extension); no path → the defaults. */
export function loadResourceConfig(path: string | undefined): ResourceConfig {
  if (!path) return resourceConfig({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw invalid(`CONVEYOR_CONFIG ${path}`, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    throw invalid(`CONVEYOR_CONFIG ${path}`, `is not valid ${extname(path).toLowerCase().startsWith('.y') ? 'YAML' : 'JSON'}: ${(err as Error).message.split('\n')[0]}`);
  }
  return resourceConfig(raw, `CONVEYOR_CONFIG ${path}`);
}
