import type { ErrorRequestHandler } from 'express';
import { isAppError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { FilterError } from '../filter';

/** MLflow's error codes and the HTTP status each maps to (mlflow/protos/databricks.proto). */
export const MLFLOW_STATUS = {
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  BAD_REQUEST: 400,
  INVALID_STATE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  REQUEST_LIMIT_EXCEEDED: 413,
  MALFORMED_REQUEST: 400,
  INTERNAL_ERROR: 500
} as const;

export type MlflowErrorCode = keyof typeof MLFLOW_STATUS;

/** An error answered in MLflow's shape: `{ "error_code": ..., "message": ... }`. */
export class MlflowError extends Error {
  constructor(
    readonly errorCode: MlflowErrorCode,
    message: string
  ) {
    super(message);
    this.name = 'MlflowError';
  }

  get status(): number {
    return MLFLOW_STATUS[this.errorCode];
  }

  static invalid(message: string): MlflowError {
    return new MlflowError('INVALID_PARAMETER_VALUE', message);
  }

  static notFound(message: string): MlflowError {
    return new MlflowError('RESOURCE_DOES_NOT_EXIST', message);
  }

  static exists(message: string): MlflowError {
    return new MlflowError('RESOURCE_ALREADY_EXISTS', message);
  }
}

/** Conveyor's own errors (auth, body parsing) translated to the closest MLflow code. */
function fromOther(err: unknown): MlflowError {
  if (err instanceof MlflowError) {
    return err;
  }
  if (err instanceof FilterError) {
    return MlflowError.invalid(`Invalid filter or order_by: ${err.message}`);
  }
  if (isAppError(err)) {
    if (err.status === 401) return new MlflowError('UNAUTHENTICATED', err.message);
    if (err.status === 403) return new MlflowError('PERMISSION_DENIED', err.message);
    if (err.status === 404) return new MlflowError('RESOURCE_DOES_NOT_EXIST', err.message);
    if (err.status === 413) return new MlflowError('REQUEST_LIMIT_EXCEEDED', err.message);
    if (err.status < 500) return new MlflowError('INVALID_PARAMETER_VALUE', err.message);
    return new MlflowError('INTERNAL_ERROR', 'Internal server error');
  }
  const e = err as { type?: string; status?: number };
  if (e?.type === 'entity.parse.failed') return new MlflowError('MALFORMED_REQUEST', 'The request body is not valid JSON');
  if (e?.type === 'entity.too.large') return new MlflowError('REQUEST_LIMIT_EXCEEDED', 'The request body is too large');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new MlflowError('BAD_REQUEST', 'The request could not be read');
  }
  return new MlflowError('INTERNAL_ERROR', 'Internal server error');
}

/** The error handler of the MLflow routers: MLflow's body, never a stack trace. */
export function mlflowErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const error = fromOther(err);
    const status = MLFLOW_STATUS[error.errorCode] ?? 400;
    const log = (res.locals.log as Logger | undefined) ?? logger;
    if (status >= 500) {
      log.error({ err }, 'mlflow request failed');
    } else {
      log.debug({ code: error.errorCode }, error.message);
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json({ error_code: error.errorCode, message: error.message });
  };
}
