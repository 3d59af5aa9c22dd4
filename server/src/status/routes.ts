import { Router } from 'express';
import { identityOf } from '../auth/identity';
import type { RouteDoc } from '../core/openapi';
import type { StatusService } from './service';

export const statusRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/status', summary: 'Server, store, Docker engine and capacity', response: 'status.json' }
];

export function statusRoutes(status: StatusService): Router {
  const router = Router();
  router.get('/status', async (req, res) => {
    res.json(await status.status(identityOf(req)));
  });
  return router;
}
