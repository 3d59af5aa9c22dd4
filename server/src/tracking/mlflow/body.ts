import type { Request, RequestHandler } from 'express';
import { identityOf } from '../../auth/identity';
import { checkRunId } from '../limits';
import type { Caller } from '../types';
import { MlflowError } from './errors';

/** MLflow's request size limit for JSON bodies (log-batch: 1 MB). */
export const MLFLOW_BODY_LIMIT = 1_000_000;

/**
 * Bare NaN / Infinity / -Infinity (Python's json.dumps writes them) become MLflow's string
 * spellings, outside string literals only.
 */
function quoteNonFinite(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') { inString = true; out += c; continue; }
    const rest = text.slice(i, i + 9);
    if (rest.startsWith('NaN')) { out += '"NaN"'; i += 2; continue; }
    if (rest.startsWith('-Infinity')) { out += '"-Infinity"'; i += 8; continue; }
    if (rest.startsWith('Infinity')) { out += '"Infinity"'; i += 7; continue; }
    out += c;
  }
  return out;
}

/** Parses a JSON body within MLflow's limit; malformed → 400 MALFORMED_REQUEST, too big → 413. */
export function parseJson(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    try {
      value = JSON.parse(quoteNonFinite(text));
    } catch {
      throw new MlflowError('MALFORMED_REQUEST', 'The request body is not valid JSON');
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new MlflowError('MALFORMED_REQUEST', 'The request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

const BODY = Symbol('mlflow.body');

/** Reads the JSON body (non-GET) or the query string (GET) into `req[BODY]`. */
export const mlflowBody: RequestHandler = (req, _res, next) => {
  const holder = req as unknown as Record<symbol, unknown> & { _body?: boolean; body?: unknown };
  if (holder[BODY] !== undefined) {
    next();
    return;
  }
  if (holder._body && req.method !== 'GET') {
    // Already parsed (the step listener's JSON reader).
    const parsed = holder.body;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      next(new MlflowError('MALFORMED_REQUEST', 'The request body must be a JSON object'));
      return;
    }
    holder[BODY] = parsed;
    next();
    return;
  }
  if (req.method === 'GET' || req.method === 'HEAD') {
    (req as unknown as Record<symbol, unknown>)[BODY] = { ...(req.query as Record<string, unknown>) };
    next();
    return;
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MLFLOW_BODY_LIMIT) {
    req.resume();
    next(new MlflowError('REQUEST_LIMIT_EXCEEDED', `The request body exceeds ${MLFLOW_BODY_LIMIT} bytes`));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let failed = false;
  req.on('data', (chunk: Buffer) => {
    if (failed) return;
    size += chunk.length;
    if (size > MLFLOW_BODY_LIMIT) {
      failed = true;
      next(new MlflowError('REQUEST_LIMIT_EXCEEDED', `The request body exceeds ${MLFLOW_BODY_LIMIT} bytes`));
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (failed) return;
    try {
      const parsed = parseJson(Buffer.concat(chunks).toString('utf8'));
      holder[BODY] = parsed;
      // Later JSON readers (other modules' routers) see it as already parsed.
      holder.body = parsed;
      holder._body = true;
      next();
    } catch (err) {
      next(err);
    }
  });
  req.on('error', err => {
    if (!failed) {
      failed = true;
      next(err);
    }
  });
};

export function bodyOf(req: Request): Record<string, unknown> {
  return ((req as unknown as Record<symbol, unknown>)[BODY] as Record<string, unknown>) ?? {};
}

const STEP_RUN = Symbol('mlflow.stepRun');

/** Restricts the request to writing one run (set by the step-facing listener's token check). */
export function setStepScope(req: Request, runUuid: string): void {
  (req as unknown as Record<symbol, unknown>)[STEP_RUN] = runUuid;
}

export function callerOf(req: Request): Caller {
  const onlyRun = (req as unknown as Record<symbol, unknown>)[STEP_RUN] as string | undefined;
  return { user: identityOf(req).user.name, ...(onlyRun ? { onlyRun } : {}) };
}

/** A required string field. */
export function str(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== 'string' || v === '') throw MlflowError.invalid(`Missing value for required parameter '${name}'.`);
  return v;
}

/** run_id, or the deprecated run_uuid. */
export function runIdOf(body: Record<string, unknown>): string {
  const v = body.run_id ?? body.run_uuid;
  if (typeof v !== 'string' || v === '') throw MlflowError.invalid("Missing value for required parameter 'run_id'.");
  return checkRunId(v);
}
