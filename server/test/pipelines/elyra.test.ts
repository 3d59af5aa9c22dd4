import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../src/core/errors';
import { importElyra, slugify } from '../../src/pipelines/elyra';
import { loadPipeline } from '../../src/pipelines/load';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));
const example = (name: string) => readFileSync(join(__dirname, '..', '..', '..', 'examples', 'pipelines', name), 'utf8');
const opts = { defaultImage: 'conveyor/base:dev' };

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError');
}

describe('importElyra', () => {
  it('imports the Elyra version of the example into the same DAG as train.yaml', () => {
    const imported = importElyra(JSON.parse(example('elyra-example.pipeline')), opts);
    const native = loadPipeline(example('train.yaml'), 'train.yaml');
    expect(imported.name).toBe('train-demo');
    expect(imported.steps.map(s => [s.name, s.notebook, s.outputs])).toEqual(native.steps.map(s => [s.name, s.notebook, s.outputs]));
    for (const step of native.steps) {
      const twin = imported.steps.find(s => s.name === step.name)!;
      expect(Object.values(twin.inputs ?? {}).sort()).toEqual(Object.values(step.inputs ?? {}).sort());
    }
    const trainB = imported.steps.find(s => s.name === 'train-b')!;
    expect(trainB).toMatchObject({
      image: 'conveyor/base:dev',
      dependsOn: ['prepare'],
      inputs: { 'data.csv': 'prepare.data.csv' },
      env: { PYTHONUNBUFFERED: '1', LR: '0.1', MODEL_OUT: 'model-b.json' },
      resources: { cpus: 1, memory: '1Gi' }
    });
  });

  it('maps script nodes, old-style env vars, dependencies, resources and duplicate labels', () => {
    const p = importElyra(fixture('mixed.pipeline'), { defaultImage: 'fallback:1' });
    expect(p.name).toBe('mixed-scripts');
    expect(p.steps).toEqual([
      {
        name: 'load',
        command: ['python3', 'scripts/load.py'],
        image: 'python:3.11-slim',
        files: ['data/**/*', 'utils.py'],
        outputs: ['raw/part.csv', 'stats.json'],
        env: { TZ: 'UTC', MODE: 'fast', EMPTY: '' },
        resources: { cpus: 2, memory: '4Gi', gpus: 1 }
      },
      {
        name: 'analyse',
        notebook: 'analyse.ipynb',
        image: 'fallback:1',
        outputs: ['stats.json'],
        env: { TZ: 'UTC', MODE: 'slow' },
        dependsOn: ['load'],
        inputs: { 'raw_part.csv': 'load.raw/part.csv', 'stats.json': 'load.stats.json' }
      },
      {
        name: 'analyse-2',
        notebook: 'analyse2.ipynb',
        image: 'fallback:1',
        env: { TZ: 'UTC' },
        dependsOn: ['load'],
        inputs: { 'raw_part.csv': 'load.raw/part.csv', 'stats.json': 'load.stats.json' }
      },
      {
        name: 'report',
        command: ['Rscript', 'report.r'],
        image: 'r-base:4',
        env: { TZ: 'UTC' },
        dependsOn: ['analyse', 'analyse-2', 'load'],
        inputs: { 'stats.json': 'analyse.stats.json', 'load.stats.json': 'load.stats.json', 'raw_part.csv': 'load.raw/part.csv' }
      }
    ]);
  });

  it('names unsupported nodes and nodes without a file', () => {
    const err = errorOf(() => importElyra(fixture('unsupported.pipeline'), opts));
    expect(err.code).toBe('invalid_pipeline');
    expect((err.details as { errors: unknown[] }).errors).toEqual([
      { path: '/pipelines/0/nodes/0/op', message: 'node "Download data": url-catalog:61e6f4141f65 nodes are not supported (notebook, Python and R nodes are)' },
      { path: '/pipelines/0/nodes/1/app_data/component_parameters/filename', message: 'node "No file" has no file' }
    ]);
  });

  it('rejects a cyclic Elyra pipeline naming the cycle', () => {
    const err = errorOf(() => importElyra(fixture('cycle.pipeline'), opts));
    expect(err.message).toBe('pipeline has a cycle: a → b → c → a');
  });

  it('refuses documents that are not Elyra pipelines', () => {
    expect(errorOf(() => importElyra({ doc_type: 'notebook' }, opts)).code).toBe('invalid_pipeline');
    expect(errorOf(() => importElyra({ ...fixture('cycle.pipeline'), version: '2.0' }, opts)).message).toMatch(/version 2.0 is not supported/);
    expect(errorOf(() => importElyra({ doc_type: 'pipeline', version: '3.0', primary_pipeline: 'p', pipelines: [{ id: 'p', nodes: [] }] }, opts)).message).toMatch(
      /has no nodes/
    );
  });

  it('slugifies labels into step names', () => {
    expect([slugify('Train Model (v2).ipynb'), slugify('  ***  '), slugify('X'.repeat(80))]).toEqual(['train-model-v2', 'step', 'x'.repeat(63)]);
  });
});
