import { Router } from 'express';
import { identityOf } from '../auth/identity';
import type { RouteDoc } from '../core/openapi';
import { validateBody } from '../core/validate';
import type { WorkspaceService } from './service';

export const workspaceRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/workspaces', summary: "The caller's workspaces and those shared with them through a link (see access)", response: 'workspace-list.json' },
  { method: 'post', path: '/workspaces', summary: 'Create and start a workspace', request: 'workspace-create.json', response: 'workspace.json', status: 201 },
  { method: 'get', path: '/workspaces/{id}', summary: 'One workspace', response: 'workspace.json' },
  { method: 'post', path: '/workspaces/{id}/start', summary: 'Start a stopped workspace', response: 'workspace.json' },
  { method: 'post', path: '/workspaces/{id}/stop', summary: 'Stop a workspace (the home volume is kept)', response: 'workspace.json' },
  { method: 'post', path: '/workspaces/{id}/restart', summary: 'Restart a workspace', response: 'workspace.json' },
  { method: 'delete', path: '/workspaces/{id}', summary: 'Delete a workspace (?volume=true also deletes the home volume)', status: 204 }
];

export function workspaceRoutes(service: WorkspaceService): Router {
  const router = Router();
  const one = async (user: Parameters<WorkspaceService['get']>[0], id: string) => service.view(await service.reload((await service.get(user, id)).id));

  router.get('/workspaces', async (req, res) => {
    const reachable = await service.listReachable(identityOf(req).user);
    res.json({ workspaces: reachable.map(r => service.view(r.row, r.access)) });
  });
  router.post('/workspaces', validateBody('workspace-create.json'), async (req, res) => {
    const row = await service.create(identityOf(req).user, req.body);
    res.status(201).json(service.view(row));
  });
  router.get('/workspaces/:id', async (req, res) => {
    res.json(await one(identityOf(req).user, req.params.id as string));
  });
  for (const action of ['start', 'stop', 'restart'] as const) {
    router.post(`/workspaces/:id/${action}`, async (req, res) => {
      const user = identityOf(req).user;
      const row = await service.get(user, req.params.id as string);
      await service[action](row);
      res.json(await one(user, row.id));
    });
  }
  router.delete('/workspaces/:id', async (req, res) => {
    const row = await service.get(identityOf(req).user, req.params.id as string);
    await service.remove(row, req.query.volume === 'true');
    res.status(204).end();
  });
  return router;
}
