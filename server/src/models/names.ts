import { MlflowError } from '../tracking/mlflow/errors';

/** Checks on the names MLflow's model registry accepts (mlflow/utils/validation.py). */

const MAX_NAME = 256;
const MAX_TAG_KEY = 250;
const MAX_TAG_VALUE = 5000;
const MAX_DESCRIPTION = 65_535;
const ALIAS = /^[\w-]{1,255}$/;

export function modelName(value: unknown, field = 'name'): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw MlflowError.invalid(`Registered model name cannot be empty (parameter '${field}').`);
  }
  if (value.length > MAX_NAME) {
    throw MlflowError.invalid(`Registered model name '${value.slice(0, 40)}…' is longer than ${MAX_NAME} characters.`);
  }
  if (/[/:%\u0000-\u001f]/.test(value)) {
    throw MlflowError.invalid(`Registered model name '${value}' must not contain '/', ':', '%' or control characters.`);
  }
  return value;
}

/** Versions travel as strings ("1"); MLflow answers a non-integer with INVALID_PARAMETER_VALUE. */
export function versionNumber(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,9}$/.test(text.trim()) || Number(text) < 1) {
    throw MlflowError.invalid(`Parameter 'version' must be a positive integer, got '${String(value)}'.`);
  }
  return Number(text);
}

export function aliasName(value: unknown): string {
  if (typeof value !== 'string' || !ALIAS.test(value)) {
    throw MlflowError.invalid(
      `Invalid alias '${String(value)}': aliases contain only letters, digits, '_' and '-' (at most 255 characters).`
    );
  }
  if (value.toLowerCase() === 'latest') {
    throw MlflowError.invalid("'latest' is a reserved alias name.");
  }
  if (/^v\d+$/i.test(value)) {
    throw MlflowError.invalid(`Alias '${value}' looks like a version ('v<number>'), which is reserved.`);
  }
  return value;
}

export function tagKey(value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw MlflowError.invalid("Missing value for required parameter 'key'.");
  }
  if (value.length > MAX_TAG_KEY) {
    throw MlflowError.invalid(`Tag key '${value.slice(0, 40)}…' is longer than ${MAX_TAG_KEY} characters.`);
  }
  return value;
}

export function tagValue(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (typeof value !== 'string') {
    throw MlflowError.invalid("Parameter 'value' must be a string.");
  }
  if (value.length > MAX_TAG_VALUE) {
    throw MlflowError.invalid(`Tag value is longer than ${MAX_TAG_VALUE} characters.`);
  }
  return value;
}

export function description(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (typeof value !== 'string') {
    throw MlflowError.invalid("Parameter 'description' must be a string.");
  }
  if (value.length > MAX_DESCRIPTION) {
    throw MlflowError.invalid(`Description is longer than ${MAX_DESCRIPTION} characters.`);
  }
  return value;
}

export interface Tag {
  key: string;
  value: string;
}

export function tagList(value: unknown): Tag[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw MlflowError.invalid("Parameter 'tags' must be a list of {key, value}.");
  }
  const tags = new Map<string, string>();
  for (const t of value) {
    if (!t || typeof t !== 'object') {
      throw MlflowError.invalid("Parameter 'tags' must be a list of {key, value}.");
    }
    const { key, value: v } = t as { key?: unknown; value?: unknown };
    tags.set(tagKey(key), tagValue(v));
  }
  return [...tags].map(([key, v]) => ({ key, value: v }));
}

export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;

export function stageName(value: unknown): (typeof STAGES)[number] {
  const found = STAGES.find(s => typeof value === 'string' && s.toLowerCase() === value.toLowerCase());
  if (!found) {
    throw MlflowError.invalid(`Invalid model version stage '${String(value)}': one of ${STAGES.join(', ')}.`);
  }
  return found;
}

/** The run id and path of a `runs:/<run_id>/<path>` URI, or null. */
export function parseRunsUri(uri: string): { runId: string; path: string } | null {
  const m = /^runs:\/+([^/]+)(?:\/(.*))?$/.exec(uri);
  return m ? { runId: m[1], path: (m[2] ?? '').replace(/\/+$/, '') } : null;
}

/** The run id of an artifact URI under a tracked run (`mlflow-artifacts:/<exp>/<run>/artifacts/…`), or null. */
export function parseArtifactsUri(uri: string): { runId: string } | null {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/+([^/]+)\/([^/]+)\/artifacts(?:\/|$)/.exec(uri);
  return m ? { runId: m[2] } : null;
}

/** The logged model of `models:/m-<id>` or `mlflow-artifacts:/<exp>/models/m-<id>/artifacts[/…]`, or null. */
export function parseLoggedModelUri(uri: string): { modelId: string } | null {
  const m = /^models:\/+(m-[0-9a-f]{32})\/?$/.exec(uri) ?? /^mlflow-artifacts:(?:\/\/[^/]*)?\/+\d+\/models\/(m-[0-9a-f]{32})\/artifacts(?:\/|$)/.exec(uri);
  return m ? { modelId: m[1] } : null;
}
