import { Router } from 'express';
import type { RouteDoc } from '../core/openapi';
import { identityOf } from '../auth/identity';
import { AppError } from '../core/errors';
import type { PipelineService } from './service';

const pipelineResult = {
  type: 'object',
  required: ['pipeline'],
  properties: { pipeline: { $ref: 'pipeline.json' }, order: { type: 'array', items: { type: 'string' } }, written: { type: 'string' } }
};

export const pipelineRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/pipelines/validate',
    summary:
      'Validate a pipeline ({pipeline} inline, any apiVersion or Elyra, or {pipelinePath} in the workspace); returns it normalized to conveyor/v1, component steps expanded, with the step order. With perStep: true, answers 200 PipelineValidation (errors per step) instead of 400',
    response: { inline: { oneOf: [pipelineResult, { $ref: 'pipeline-validation.json' }] } }
  },
  {
    method: 'post',
    path: '/pipelines/import-elyra',
    summary: 'Convert an Elyra .pipeline ({path} in the workspace or {pipeline} inline); with {write: "x.yaml"} save it (409 exists)',
    response: { inline: pipelineResult }
  }
];

type Body = Record<string, unknown>;

function bodyOf(raw: unknown, allowed: string[]): Body {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw AppError.invalid('A JSON object body is required');
  const body = raw as Body;
  const extra = Object.keys(body).filter(k => !allowed.includes(k));
  if (extra.length > 0) throw AppError.invalid(`Unknown fields: ${extra.join(', ')}`, { errors: extra.map(k => ({ path: `/${k}`, message: 'is not allowed' })) });
  return body;
}

function optionalString(body: Body, key: string): string | undefined {
  const v = body[key];
  if (v !== undefined && (typeof v !== 'string' || v === '')) throw AppError.invalid(`${key} must be a non-empty string`, { errors: [{ path: `/${key}`, message: 'must be a non-empty string' }] });
  return v as string | undefined;
}

function exactlyOne(body: Body, a: string, b: string): void {
  if ((body[a] === undefined) === (body[b] === undefined)) throw AppError.invalid(`Give exactly one of ${a} or ${b}`);
}

export function pipelineRoutes(pipelines: PipelineService): Router {
  const router = Router();
  router.post('/pipelines/validate', async (req, res) => {
    const body = bodyOf(req.body, ['pipeline', 'pipelinePath', 'perStep']);
    exactlyOne(body, 'pipeline', 'pipelinePath');
    if (body.perStep !== undefined && typeof body.perStep !== 'boolean') throw AppError.invalid('perStep must be a boolean', { errors: [{ path: '/perStep', message: 'must be a boolean' }] });
    const source = { pipeline: body.pipeline, pipelinePath: optionalString(body, 'pipelinePath') };
    const owner = identityOf(req).user.name;
    res.json(body.perStep === true ? await pipelines.validatePerStep(owner, source) : await pipelines.validate(owner, source));
  });
  router.post('/pipelines/import-elyra', (req, res) => {
    const body = bodyOf(req.body, ['path', 'pipeline', 'write']);
    exactlyOne(body, 'path', 'pipeline');
    res.json(pipelines.importElyra({ path: optionalString(body, 'path'), pipeline: body.pipeline, write: optionalString(body, 'write') }));
  });
  return router;
}
