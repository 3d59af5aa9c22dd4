import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { errorHandler, notFoundHandler } from './errorMiddleware';
import type { Logger } from './logger';
import { buildOpenApi, type RouteDoc } from './openapi';
import { requestLogger } from './requestLog';
import { API_PREFIX } from './version';

export const BODY_LIMIT = '1mb';

export interface AppParts {
  logger: Logger;
  /** Runs before every API route (the auth middleware). */
  authenticate: RequestHandler;
  /** Feature routers, mounted under /conveyor/api/v1. */
  routers: Router[];
  routeDocs: RouteDoc[];
  /** Other mounts outside the API prefix, each with its own auth and body handling (e.g. /conveyor/mlflow). */
  mounts?: { path: string; handlers: (RequestHandler | ErrorRequestHandler)[] }[];
}

/**
 * For routes that may answer before reading the whole body (413 on an upload): once the answer is
 * sent, the rest of the body is read and dropped, so the connection stays usable and a client
 * that sends everything before reading (the mlflow client, a proxy) gets the answer.
 */
export const drainUnreadBody: RequestHandler = (req, res, next) => {
  res.once('finish', () => {
    if (!req.complete) req.resume();
  });
  next();
};

/** The express app: request ids and logs, auth, JSON bodies, feature routers, JSON errors. */
export function createApp(parts: AppParts): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLogger(parts.logger));

  const openapi = buildOpenApi([
    { method: 'get', path: '/openapi.json', summary: 'This OpenAPI 3.1 document', response: { inline: { type: 'object' } } },
    ...parts.routeDocs
  ]);
  const api = express.Router();
  // Authenticate before reading bodies: strangers do not get to make the server parse JSON.
  api.use(parts.authenticate);
  api.use(express.json({ limit: BODY_LIMIT, type: ['application/json', 'application/*+json'] }));
  api.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  for (const router of parts.routers) {
    api.use(router);
  }
  app.use(API_PREFIX, api);
  for (const mount of parts.mounts ?? []) {
    app.use(mount.path, ...mount.handlers);
  }
  app.use(notFoundHandler());
  app.use(errorHandler(parts.logger));
  return app;
}
