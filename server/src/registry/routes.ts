import { Router, type Request } from 'express';
import type { ImageBuildRequest, ImagePush, StepImage } from '../../../schema/generated/api';
import { identityOf } from '../auth/identity';
import { AppError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { RouteDoc } from '../core/openapi';
import { validateBody } from '../core/validate';
import type { ImageSource } from '../images/service';
import type { ImageBuilds } from './builds';
import type { RegistryCatalog } from './catalog';
import type { ImageDefaults } from './defaults';
import { matchPackages, packagesOf, parsePackageQuery } from './packages';
import type { ImagePusher } from './push';

export const registryRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/images', summary: 'Registry tags the caller may see and local engine images (?q=&package=)', response: { arrayOf: 'image.json' } },
  { method: 'get', path: '/images/{repo}/tags/{tag}', summary: 'One registry tag with its package lists', response: 'image-tag.json' },
  { method: 'delete', path: '/images/{repo}/tags/{tag}', summary: "Delete one of one's own tags (admins: shared/)", status: 204 },
  { method: 'post', path: '/images/push', summary: 'Push a local engine image under an immutable tag', request: 'image-push.json', response: 'image-tag.json', status: 201 },
  { method: 'post', path: '/images/builds', summary: 'Build users/<me>/<name> from a registry image plus packages', request: 'image-build-request.json', response: 'image-build.json', status: 202 },
  { method: 'get', path: '/images/builds', summary: "The caller's builds (admins: everyone's), newest first", response: { arrayOf: 'image-build.json' } },
  { method: 'get', path: '/images/builds/{id}', summary: 'A build', response: 'image-build.json' },
  { method: 'get', path: '/images/builds/{id}/log', summary: "A build's log lines from ?from=", response: 'image-build-log.json' },
  { method: 'get', path: '/images/default', summary: "The caller's default image for submissions", response: 'image-default.json' },
  { method: 'put', path: '/images/default', summary: "Set the caller's default image for submissions", request: 'image-default.json', response: 'image-default.json' }
];

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `/images/users/alice/x/tags/1.0.0-b123abc` → the repository of the wildcard segment. */
function repoParam(req: Request): string {
  const raw = (req.params as Record<string, string | string[]>).repo;
  return Array.isArray(raw) ? raw.join('/') : raw;
}

export interface RegistryRouteDeps {
  catalog: RegistryCatalog;
  pusher: ImagePusher;
  engine: ImageSource;
  defaults: ImageDefaults;
  builds?: ImageBuilds;
  defaultImage: string;
  logger: Logger;
}

export function registryRoutes(deps: RegistryRouteDeps): Router {
  const { catalog, pusher, engine, defaults, builds } = deps;
  const router = Router();

  router.get('/images', async (req, res) => {
    const user = identityOf(req).user;
    const q = str(req.query.q);
    const pkgText = str(req.query.package);
    const pkg = pkgText ? parsePackageQuery(pkgText) : undefined;
    if (pkgText && !pkg) throw AppError.invalid(`"${pkgText}" is not a package query: use a name, name==version or "name version"`);
    let registry: StepImage[] = [];
    try {
      registry = await catalog.list(user, { q, package: pkgText });
    } catch (err) {
      // The submit dialog still works from local images when the registry is down.
      if ((err as AppError).code !== 'registry_unavailable') throw err;
      deps.logger.warn({ err: (err as Error).message }, 'registry unavailable: listing local images only');
    }
    // Local copies of registry images are listed once, as registry entries.
    const local = (await engine.list())
      .map(i => ({ ...i, tags: i.tags.filter(t => !t.startsWith(`${catalog.address}/`)) }))
      .filter(i => i.tags.length > 0)
      .map(i => ({ ...i, source: 'engine' as const, ref: i.tags[0] }))
      .filter(i => !q || i.tags.some(t => t.toLowerCase().includes(q.toLowerCase())))
      .map(i => (pkg ? { ...i, matches: matchPackages(packagesOf(i.labels as Record<string, string>), pkg) } : i))
      .filter(i => !pkg || i.matches!.length > 0);
    const chosen = defaults.get(user.name) ?? deps.defaultImage;
    res.json([...registry, ...local].map(i => (i.tags.includes(chosen) ? { ...i, default: true } : i)));
  });

  router.get('/images/default', (req, res) => {
    const user = identityOf(req).user;
    res.json({ ref: defaults.get(user.name) ?? deps.defaultImage });
  });

  router.put('/images/default', validateBody('image-default.json'), (req, res) => {
    const user = identityOf(req).user;
    const ref = (req.body as { ref: string }).ref;
    if (/:latest$/.test(ref) || ref.endsWith('/latest')) throw new AppError(400, 'invalid_tag', 'The default image may not be a "latest" tag', { ref });
    defaults.set(user.name, ref);
    res.json({ ref });
  });

  router.post('/images/push', validateBody('image-push.json'), async (req, res) => {
    const body = req.body as ImagePush;
    res.status(201).json(await pusher.push(identityOf(req).user, body.image, body.repository, body.tag));
  });

  router.get('/images/*repo/tags/:tag', async (req, res) => {
    res.json(await catalog.get(identityOf(req).user, repoParam(req), req.params.tag as string));
  });

  router.delete('/images/*repo/tags/:tag', async (req, res) => {
    await catalog.delete(identityOf(req).user, repoParam(req), req.params.tag as string);
    res.status(204).end();
  });

  if (builds) {
    router.post('/images/builds', validateBody('image-build-request.json'), async (req, res) => {
      const build = await builds.start(identityOf(req).user, req.body as ImageBuildRequest);
      res.status(202).json({ ...build, buildId: build.id });
    });
    router.get('/images/builds', (req, res) => {
      res.json(builds.list(identityOf(req).user));
    });
    router.get('/images/builds/:id', (req, res) => {
      res.json(builds.get(identityOf(req).user, req.params.id as string));
    });
    router.get('/images/builds/:id/log', (req, res) => {
      const from = Number(req.query.from ?? 0);
      if (!Number.isInteger(from) || from < 0) throw AppError.invalid('from must be a non-negative integer');
      res.json(builds.log(identityOf(req).user, req.params.id as string, from));
    });
  }
  return router;
}
