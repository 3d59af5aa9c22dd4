import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { json } from './helpers/server';
import { runsEnv, type RunsEnv } from './runs/helpers';

/** The image of the built-in components (scripts/setup.sh builds it from images/datascience). */
const IMAGE = 'conveyor/datascience:dev';

/** A deterministic binary classification table: two numeric features, a colour, a target. */
function table(rows: number, seed: number): string {
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const lines = ['x1,x2,color,target'];
  for (let i = 0; i < rows; i++) {
    const x1 = rand() * 4 - 2;
    const x2 = rand() * 4 - 2;
    const color = rand() < 0.5 ? 'red' : 'blue';
    const noise = (rand() - 0.5) * 0.6;
    lines.push(`${x1.toFixed(4)},${x2.toFixed(4)},${color},${x1 + 0.5 * x2 + (color === 'red' ? 0.3 : 0) + noise > 0 ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The built-in components for real: the train → evaluate → register template runs in containers
 * of the data-science image (metrics tracked in MLflow, a model version registered), then the
 * batch-scoring template scores new rows with that registered model.
 */
describe('built-in components in template pipelines', () => {
  let env: RunsEnv;
  let mlflow: string;

  beforeAll(async () => {
    // The image must be there: a missing one is a setup failure, not a skip.
    execFileSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' });
    env = await runsEnv();
    mlflow = `${new URL(env.t.url).origin}/conveyor/mlflow/api/2.0/mlflow`;
  });
  afterAll(async () => {
    await env?.close();
  });

  const mlflowGet = async (path: string): Promise<any> => {
    const res = await fetch(`${mlflow}/${path}`, { headers: { 'X-Conveyor-Secret': 'test-secret-0123456789' } });
    const body = await json(res);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const output = async (run: string, step: string, name: string): Promise<string> => {
    const res = await env.get(`/runs/${run}/steps/${step}/outputs/${name}`);
    expect(res.status).toBe(200);
    return res.text();
  };
  const logs = async (run: any): Promise<string> => {
    const parts = await Promise.all(run.steps.map(async (s: any) => `--- ${s.name} ${s.status}\n${(await json(await env.get(`/runs/${run.id}/steps/${s.name}/logs`)))?.lines?.join('\n')}`));
    return parts.join('\n');
  };

  test('train → evaluate → register, then batch scoring with the registered model', async () => {
    const made = await env.post('/pipeline-templates/train-evaluate-register/instantiate', { path: 'ter/pipeline.yaml', name: 'churn' });
    expect(made.status).toBe(201);
    env.write('ter/data.csv', table(240, 7));
    const submitted = await env.submit({ pipelinePath: 'ter/pipeline.yaml' });
    const run = await env.wait(submitted.id, undefined, 150_000);
    if (run.status !== 'succeeded') throw new Error(`run ${run.status}:\n${await logs(run)}`);
    expect(run.steps.map((s: any) => `${s.name}:${s.status}`)).toEqual(['validate:succeeded', 'split:succeeded', 'train:succeeded', 'evaluate:succeeded', 'register:succeeded']);

    const stats = JSON.parse(await output(run.id, 'validate', 'stats.json'));
    expect(stats).toMatchObject({ rows: 240, schema: { x1: 'float64', color: 'object', target: 'int64' } });
    const split = JSON.parse(await output(run.id, 'split', 'split.json'));
    expect(split).toMatchObject({ train_rows: 192, test_rows: 48, seed: 42, blinded: false });
    // The held-out rows published as a blinded dataset version (the datasets module's from-run publish).
    const blinded = await env.post('/datasets/versions/from-run', { name: 'churn-test', runId: run.id, step: 'split', output: 'test.csv', blinded: true });
    const version = await json(blinded);
    expect({ status: blinded.status, blinded: version.blinded }).toEqual({ status: 201, blinded: true });
    const metrics = JSON.parse(await output(run.id, 'evaluate', 'metrics.json'));
    expect(metrics.accuracy).toBeGreaterThan(0.75);
    expect(metrics.test_rows).toBe(48);

    // The evaluation's metrics are in the experiment, on the evaluate step's tracked run.
    const { experiment } = await mlflowGet('experiments/get-by-name?experiment_name=churn');
    const res = await fetch(`${mlflow}/runs/search`, {
      method: 'POST',
      headers: { 'X-Conveyor-Secret': 'test-secret-0123456789', 'Content-Type': 'application/json' },
      body: JSON.stringify({ experiment_ids: [experiment.experiment_id], max_results: 50 })
    });
    const tracked = ((await json(res)).runs ?? []) as any[];
    const accuracy = tracked.flatMap(r => (r.data.metrics ?? []).filter((m: any) => m.key === 'accuracy').map((m: any) => m.value));
    expect(accuracy).toContain(metrics.accuracy);
    const trainParams = tracked.flatMap(r => (r.data.params ?? []).filter((p: any) => p.key === 'n_estimators').map((p: any) => p.value));
    expect(trainParams).toEqual(['100']);

    // Registered: version 1 of my-model, from the register step's run, in MLflow's format.
    const registered = JSON.parse(await output(run.id, 'register', 'registered.json'));
    expect(registered).toMatchObject({ name: 'my-model', version: 1 });
    const { model_version: mv } = await mlflowGet('model-versions/get?name=my-model&version=1');
    expect(mv).toMatchObject({ name: 'my-model', version: '1', run_id: registered.run_id });

    // Batch scoring with the registered model (the template's default model_uri is models:/my-model/1).
    const scoring = await env.post('/pipeline-templates/batch-scoring/instantiate', { path: 'score/pipeline.yaml' });
    expect(scoring.status).toBe(201);
    // The drift check's baseline: the training validation's stats.json, published as a dataset version.
    const statsRes = await env.post('/datasets/versions/from-run', { name: 'churn-stats', runId: run.id, step: 'validate', output: 'stats.json' });
    const stats0 = await json(statsRes);
    expect(statsRes.status).toBe(201);
    const withReference = (text: string): string => {
      const doc = parseYaml(text);
      doc.steps[0].inputs = { reference: `dataset://churn-stats@${stats0.id}` };
      return stringify(doc);
    };
    env.write('score/pipeline.yaml', withReference(readFileSync(join(env.workspace, 'score/pipeline.yaml'), 'utf8')));
    const unlabelled = (rows: string): string => rows.replace(/,target\n/, '\n').replace(/,[01]\n/g, '\n');
    env.write('score/data.csv', unlabelled(table(30, 99)));
    const scored = await env.wait((await env.submit({ pipelinePath: 'score/pipeline.yaml' })).id, undefined, 90_000);
    if (scored.status !== 'succeeded') throw new Error(`scoring ${scored.status}:\n${await logs(scored)}`);
    const predictions = (await output(scored.id, 'score', 'predictions.csv')).trim().split('\n');
    expect(predictions[0]).toBe('x1,x2,color,prediction');
    expect(predictions).toHaveLength(31);
    expect(predictions.slice(1).every(l => /,[01]$/.test(l))).toBe(true);
    const scoredStats = JSON.parse(await output(scored.id, 'validate', 'stats.json'));
    expect(Object.keys(scoredStats.drift).sort()).toEqual(['color', 'x1', 'x2']);

    // Rows whose x1 moved by 3 drift beyond max_drift: validate fails, nothing is scored.
    env.write('score/data.csv', unlabelled(table(30, 99)).replace(/^(-?[0-9.]+),/gm, (_m, x1: string) => `${(Number(x1) + 3).toFixed(4)},`));
    const drifted = await env.wait((await env.submit({ pipelinePath: 'score/pipeline.yaml' })).id, undefined, 90_000);
    expect(drifted.status).toBe('failed');
    expect(drifted.steps.map((s: any) => s.status)).toEqual(['failed', 'skipped']);
    expect(await logs(drifted)).toMatch(/error: column x1 drifted by [0-9.]+, beyond max_drift=0\.5/);
  }, 280_000);
});
