import { posix } from 'node:path';
import { MlflowError } from './mlflow/errors';

/** MLflow's limits (mlflow/utils/validation.py). */
export const LIMITS = {
  paramsTagsPerBatch: 100,
  metricsPerBatch: 1000,
  entitiesPerBatch: 1000,
  datasetsPerBatch: 1000,
  paramValue: 6000,
  tagValue: 8000,
  key: 250,
  experimentName: 500,
  experimentTagValue: 20000,
  runName: 250,
  maxResults: 50000,
  datasetName: 500,
  datasetDigest: 36
} as const;

/** ±Inf are stored as ±DBL_MAX, NaN as 0 with is_nan (MLflow's SQL store does the same). */
export const DBL_MAX = 1.7976931348623157e308;

const NAME_RE = /^[/\w.\- :]*$/;

export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface KeyValue {
  key: string;
  value: string;
}

function invalidValue(path: string, value: unknown, why = ''): MlflowError {
  return MlflowError.invalid(`Invalid value ${JSON.stringify(value)} for parameter '${path}' supplied.${why ? ` ${why}` : ''}`);
}

/** A metric/param/tag key: MLflow's characters, ≤250, not path-like. */
export function checkKey(key: unknown, path = 'key'): string {
  if (typeof key !== 'string' || key === '') {
    throw MlflowError.invalid(`Missing value for required parameter '${path}'.`);
  }
  if (key.length > LIMITS.key) {
    throw invalidValue(path, key, `Length of '${path}' exceeds the limit of ${LIMITS.key}.`);
  }
  if (!NAME_RE.test(key)) {
    throw invalidValue(path, key, 'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).');
  }
  const norm = posix.normalize(key);
  if (norm !== key || norm === '.' || norm.startsWith('..') || norm.startsWith('/')) {
    throw invalidValue(path, key, `Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${norm}'`);
  }
  return key;
}

/** NUL characters cannot be stored (Postgres text): refuse them like any other bad value. */
export function noNul(text: string, path: string): string {
  if (text.includes('\u0000')) throw invalidValue(path, text, 'It must not contain NUL characters.');
  return text;
}

/** A string value within `limit` characters; numbers and booleans are stringified like the client does. */
export function checkValue(value: unknown, limit: number, path: string): string {
  if (value === null || value === undefined) {
    throw MlflowError.invalid(`Missing value for required parameter '${path}'.`);
  }
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  if (text === undefined) {
    throw invalidValue(path, value, 'It must be a string.');
  }
  if (text.length > limit) {
    throw MlflowError.invalid(`'${path}' exceeds the maximum length of ${limit} characters (got ${text.length}).`);
  }
  return noNul(text, path);
}

/** A metric value: a number, or MLflow's JSON spellings "NaN", "Infinity", "-Infinity". */
export function metricValue(value: unknown, path = 'value'): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return Number.NaN;
    if (value === 'Infinity' || value === 'inf') return Number.POSITIVE_INFINITY;
    if (value === '-Infinity' || value === '-inf') return Number.NEGATIVE_INFINITY;
    if (value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  }
  throw invalidValue(path, value, 'Got invalid value for metric; it must be a number.');
}

/** An int64 (timestamps, steps): numbers or decimal strings (proto JSON writes int64 as a string). */
export function int64(value: unknown, path: string, fallback?: number): number {
  if (value === undefined || value === null || value === '') {
    if (fallback !== undefined) return fallback;
    throw MlflowError.invalid(`Missing value for required parameter '${path}'.`);
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw invalidValue(path, value, 'It must be an integer.');
  }
  return n;
}

export function checkMetric(m: unknown, path: string, now: number): Metric {
  if (!m || typeof m !== 'object') throw invalidValue(path, m, 'It must be an object.');
  const o = m as Record<string, unknown>;
  return {
    key: checkKey(o.key, `${path}.key`),
    value: metricValue(o.value, `${path}.value`),
    timestamp: int64(o.timestamp, `${path}.timestamp`, now),
    step: int64(o.step, `${path}.step`, 0)
  };
}

export function checkKeyValue(kv: unknown, path: string, limit: number): KeyValue {
  if (!kv || typeof kv !== 'object') throw invalidValue(path, kv, 'It must be an object.');
  const o = kv as Record<string, unknown>;
  return { key: checkKey(o.key, `${path}.key`), value: checkValue(o.value ?? '', limit, `${path}.value`) };
}

/** The stored form of a metric value: [value, is_nan]. */
export function storedValue(value: number): [number, number] {
  if (Number.isNaN(value)) return [0, 1];
  if (value === Number.POSITIVE_INFINITY) return [DBL_MAX, 0];
  if (value === Number.NEGATIVE_INFINITY) return [-DBL_MAX, 0];
  return [value, 0];
}

/** A run id as MLflow accepts it (ours are 32 hex). */
export function checkRunId(runId: unknown, path = 'run_id'): string {
  if (typeof runId !== 'string' || runId === '') {
    throw MlflowError.invalid(`Missing value for required parameter '${path}'.`);
  }
  if (!/^[a-zA-Z0-9][\w-]{0,255}$/.test(runId)) {
    throw invalidValue(path, runId);
  }
  return runId;
}

export function checkExperimentId(id: unknown, path = 'experiment_id'): number {
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  if (typeof id !== 'string' || id === '') {
    throw MlflowError.invalid(`Missing value for required parameter '${path}'.`);
  }
  if (!/^\d{1,15}$/.test(id)) {
    // Not one of ours: it cannot exist.
    throw MlflowError.notFound(`No Experiment with id=${id} exists`);
  }
  return Number(id);
}
