import { Router } from 'express';
import type { RouteDoc } from '../core/openapi';
import type { ProfileService } from './profiles';

export const profileRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/profiles', summary: 'Resource profiles a step can ask for', response: { arrayOf: 'profile.json' } }
];

export function profileRoutes(profiles: ProfileService): Router {
  const router = Router();
  router.get('/profiles', (_req, res) => {
    res.json(profiles.list());
  });
  return router;
}
