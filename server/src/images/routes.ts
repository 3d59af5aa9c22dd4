import { Router } from 'express';
import type { RouteDoc } from '../core/openapi';
import type { ImageSource } from './service';

export const imageRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/images', summary: 'Local engine images usable for steps', response: { arrayOf: 'image.json' } }
];

export function imageRoutes(images: ImageSource): Router {
  const router = Router();
  router.get('/images', async (_req, res) => {
    res.json(await images.list());
  });
  return router;
}
