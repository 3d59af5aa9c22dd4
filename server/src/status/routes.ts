import { Router } from 'express';
import { identityOf } from '../auth/identity';
import type { RouteDoc } from '../core/openapi';
import { currentWorkspace } from '../core/workspace';
import type { StatusService } from './service';

export const statusRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/status', summary: 'Server, store, Docker engine and capacity', response: 'status.json' }
];

export function statusRoutes(status: StatusService): Router {
  const router = Router();
  router.get('/status', async (req, res) => {
    const answer = await status.status(identityOf(req));
    // Asked from inside a managed workspace (workspaces/inside.ts): which one, and whether its files can be read.
    const inside = currentWorkspace();
    res.json(inside ? { ...answer, workspace: { id: inside.id, access: inside.access, files: inside.root !== undefined } } : answer);
  });
  return router;
}
