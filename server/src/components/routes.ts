import { Router } from 'express';
import type { ComponentEntry, PipelineTemplateInstantiate } from '../../../schema/generated/api';
import { identityOf } from '../auth/identity';
import { AppError } from '../core/errors';
import { refuseInsideWorkspace } from '../core/workspace';
import type { Logger } from '../core/logger';
import type { RouteDoc } from '../core/openapi';
import { validateBody } from '../core/validate';
import type { Catalog } from './catalog';
import { importKfp } from './kfp';
import { qualified, splitQualified, type ComponentRegistry } from './registry';
import { instantiate, loadTemplates } from './templates';

export const componentRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/components', summary: 'The catalog (built-in, workspace components/, registry); ?q= text, ?tag=', response: 'component-list.json' },
  { method: 'get', path: '/components/{name}', summary: 'Every version of a component (registry names are users/<owner>/<name> or shared/<name>)', response: 'component-list.json' },
  { method: 'get', path: '/components/{name}/{version}', summary: 'One version of a component', response: 'component-entry.json' },
  {
    method: 'put',
    path: '/components/users/{owner}/{name}/shares',
    summary: 'Share an own registry component, every version, for reading ("*" = everyone); replaces the list',
    request: 'component-shares.json',
    response: { inline: { type: 'object', properties: { sharedWith: { type: 'array', items: { type: 'string' } } } } }
  },
  { method: 'post', path: '/components', summary: 'Publish a version to the registry (409 when it exists; shared: admins only)', request: 'component-publish.json', response: 'component-entry.json', status: 201 },
  {
    method: 'post',
    path: '/components/import/kfp',
    summary: 'Convert a Kubeflow Pipelines v1 component.yaml ({yaml, name?, version?}); with publish: true, publish it',
    response: { inline: { type: 'object', properties: { spec: { $ref: 'component.json' }, published: { $ref: 'component-entry.json' } } } }
  },
  { method: 'get', path: '/pipeline-templates', summary: 'Pipeline templates with swappable slots', response: 'pipeline-template-list.json' },
  {
    method: 'post',
    path: '/pipeline-templates/{id}/instantiate',
    summary: 'Write a template as a pipeline file in the workspace (409 when it exists)',
    request: 'pipeline-template-instantiate.json',
    response: { inline: { type: 'object', properties: { path: { type: 'string' }, pipeline: { $ref: 'pipeline.json' } } } },
    status: 201
  }
];

const SEMVER = /^\d+\.\d+\.\d+([-+].*)?$/;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function componentRoutes(deps: { catalog: Catalog; registry: ComponentRegistry; workspaceDir: string; logger: Logger }): Router {
  const router = Router();
  const templates = loadTemplates();
  const byId = new Map(templates.map(t => [t.id, t]));

  router.get('/components', async (req, res) => {
    res.json(await deps.catalog.list(identityOf(req).user.name, { q: str(req.query.q), tag: str(req.query.tag) }));
  });
  router.get('/components/*path', async (req, res) => {
    const parts = ([] as string[]).concat((req.params as { path: string[] }).path);
    const user = identityOf(req).user.name;
    const last = parts[parts.length - 1];
    if (parts.length > 1 && SEMVER.test(last)) {
      const name = parts.slice(0, -1).join('/');
      const hit = (await deps.catalog.versions(user, name)).find(e => e.spec.version === last);
      if (!hit) throw new AppError(404, 'component_not_found', `Component "${name}" has no version ${last}`, { name, version: last });
      res.json(hit);
      return;
    }
    res.json({ components: await deps.catalog.versions(user, parts.join('/')) });
  });
  router.put('/components/*path', validateBody('component-shares.json'), async (req, res) => {
    const parts = ([] as string[]).concat((req.params as { path: string[] }).path);
    const q = parts[parts.length - 1] === 'shares' ? splitQualified(parts.slice(0, -1).join('/')) : undefined;
    if (!q) throw new AppError(404, 'not_found', 'PUT /components/users/<you>/<name>/shares is the only write of a component');
    const sharedWith = await deps.registry.setShares(identityOf(req).user.name, q.namespace, q.name, req.body.users as string[]);
    deps.logger.info({ component: `${q.namespace}/${q.name}`, sharedWith }, 'component shares set');
    res.json({ sharedWith });
  });
  router.post('/components', validateBody('component-publish.json'), async (req, res) => {
    const user = identityOf(req).user;
    const p = await deps.registry.publish(user, req.body.spec, req.body.shared === true);
    const entry: ComponentEntry = {
      ref: `${qualified(p.namespace, p.spec.name)}@${p.spec.version}`,
      name: qualified(p.namespace, p.spec.name),
      source: 'registry',
      owner: p.owner,
      shared: p.namespace === 'shared',
      publishedAt: p.createdAt,
      versions: [p.spec.version],
      spec: p.spec
    };
    deps.logger.info({ ref: entry.ref, owner: p.owner }, 'component published');
    res.status(201).json(entry);
  });
  router.post('/components/import/kfp', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.yaml !== 'string' || body.yaml === '') throw AppError.invalid('yaml (the text of a KFP component.yaml) is required', { errors: [{ path: '/yaml', message: 'is required' }] });
    const spec = importKfp(body.yaml, { name: str(body.name), version: str(body.version) });
    if (body.publish !== true) {
      res.json({ spec });
      return;
    }
    const p = await deps.registry.publish(identityOf(req).user, spec, false);
    res.status(201).json({ spec, published: { ref: `${qualified(p.namespace, spec.name)}@${spec.version}`, name: qualified(p.namespace, spec.name), source: 'registry', owner: p.owner, versions: [spec.version], spec } });
  });
  router.get('/pipeline-templates', (_req, res) => {
    res.json({ templates });
  });
  router.post('/pipeline-templates/:id/instantiate', validateBody('pipeline-template-instantiate.json'), async (req, res) => {
    refuseInsideWorkspace('Making a pipeline from a template');
    const template = byId.get(req.params.id as string);
    if (!template) throw new AppError(404, 'template_not_found', `No pipeline template "${req.params.id}" (templates: ${[...byId.keys()].join(', ')})`);
    const user = identityOf(req).user.name;
    const body = req.body as PipelineTemplateInstantiate;
    const slots = Object.fromEntries(Object.entries(body.slots ?? {}).map(([k, v]) => [k, v as string]));
    const made = await instantiate(template, { path: body.path, name: body.name, slots }, { workspaceDir: deps.workspaceDir, resolve: ref => deps.catalog.resolve(user, ref) });
    deps.logger.info({ template: template.id, path: made.path, user, slots }, 'pipeline template instantiated');
    res.status(201).json(made);
  });
  return router;
}
