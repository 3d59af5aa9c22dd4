import { Router } from 'express';
import type { ApiTokenCreate } from '../../../schema/generated/api';
import type { RouteDoc } from '../core/openapi';
import { validateBody } from '../core/validate';
import { identityOf } from '../auth/identity';
import type { TokenService } from './service';

export const tokenRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/tokens', summary: "List the caller's API tokens", response: { arrayOf: 'token.json' } },
  {
    method: 'post',
    path: '/tokens',
    summary: 'Create an API token for the caller; the secret is returned once',
    request: 'token-create.json',
    response: 'token-created.json',
    status: 201
  },
  { method: 'delete', path: '/tokens/{id}', summary: "Revoke one of the caller's API tokens", status: 204 }
];

export function tokenRoutes(tokens: TokenService): Router {
  const router = Router();
  router.get('/tokens', async (req, res) => {
    res.json(await tokens.list(identityOf(req).user.name));
  });
  router.post('/tokens', validateBody('token-create.json'), async (req, res) => {
    const body = req.body as ApiTokenCreate;
    res.status(201).json(await tokens.create(identityOf(req).user.name, body));
  });
  router.delete('/tokens/:id', async (req, res) => {
    await tokens.revoke(identityOf(req).user.name, req.params.id);
    res.status(204).end();
  });
  return router;
}
