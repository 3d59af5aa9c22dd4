import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, isAppError } from './errors';
import type { Logger } from './logger';

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/** Maps body-parser and other framework errors to AppErrors; anything else is a 500. */
function toAppError(err: unknown): AppError {
  if (isAppError(err)) {
    return err;
  }
  const e = err as BodyParserError;
  switch (e?.type) {
    case 'entity.parse.failed':
      return new AppError(400, 'invalid_json', 'The request body is not valid JSON');
    case 'entity.too.large':
      return new AppError(413, 'too_large', 'The request body is too large', { limitBytes: e.limit });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'unsupported_media_type', 'Unsupported body encoding');
    default:
      if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
        return new AppError(e.status, 'invalid_request', 'The request could not be read');
      }
      return new AppError(500, 'internal', 'Internal server error');
  }
}

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(AppError.notFound(`No route for ${req.method} ${req.path}`));
}

/** Writes `{ error: { code, message, details } }`; never a stack trace. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const appError = toAppError(err);
    const log = (res.locals.log as Logger | undefined) ?? logger;
    if (appError.status >= 500) {
      log.error({ err }, 'request failed');
    } else {
      log.debug({ code: appError.code }, appError.message);
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    const body: { error: { code: string; message: string; details?: unknown } } = {
      error: { code: appError.code, message: appError.message }
    };
    if (appError.details !== undefined) {
      body.error.details = appError.details;
    }
    res.status(appError.status).json(body);
  };
}
