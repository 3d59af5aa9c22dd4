import { Router, type Request } from 'express';
import type { ShareCreate } from '../../../schema/generated/api';
import { identityOf } from '../auth/identity';
import type { RouteDoc } from '../core/openapi';
import { validateBody } from '../core/validate';
import type { ShareService } from './service';

export const shareRouteDocs: RouteDoc[] = [
  { method: 'post', path: '/shares', summary: 'Create a share link to something the caller owns; the code is shown once', request: 'share-create.json', response: 'share-created.json', status: 201 },
  { method: 'get', path: '/shares', summary: "The caller's share links with uses and who used them (?kind=&target=<JSON>)", response: 'share-list.json' },
  { method: 'delete', path: '/shares/{id}', summary: 'Revoke a share link (takes effect at once)', response: 'share-link.json' },
  { method: 'post', path: '/shares/redeem', summary: 'Redeem a share code: grants the caller its scope until expiry or revocation', request: 'share-redeem.json', response: 'share-redeemed.json' }
];

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function shareRoutes(shares: ShareService): Router {
  const router = Router();
  const user = (req: Request): string => identityOf(req).user.name;

  router.post('/shares/redeem', validateBody('share-redeem.json'), async (req, res) => {
    res.json(await shares.redeem(user(req), (req.body as { code: string }).code));
  });
  router.post('/shares', validateBody('share-create.json'), async (req, res) => {
    res.status(201).json(await shares.create(user(req), req.body as ShareCreate));
  });
  router.get('/shares', async (req, res) => {
    res.json(await shares.list(user(req), { kind: str(req.query.kind), target: str(req.query.target) }));
  });
  router.delete('/shares/:id', async (req, res) => {
    res.json(await shares.revoke(user(req), String(req.params.id)));
  });
  return router;
}
