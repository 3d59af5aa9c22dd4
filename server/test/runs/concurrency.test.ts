import { execFileSync } from 'node:child_process';
import { json } from '../helpers/server';
import { pipeline, runsEnv, type RunsEnv } from './helpers';

let env: RunsEnv;
beforeAll(async () => {
  env = await runsEnv();
});
afterAll(() => env.close());

const T = 120_000;
const ms = (iso: string): number => Date.parse(iso);

/** The most intervals that contain one instant. */
function maxOverlap(intervals: [number, number][]): number {
  const points = intervals.flatMap(([a, b]) => [[a, 1] as const, [b, -1] as const]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let n = 0;
  let max = 0;
  for (const [, d] of points) max = Math.max(max, (n += d));
  return max;
}

function containersOf(runId: string): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=io.conveyor.run=${runId}`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

describe('concurrency', () => {
  test(
    'runs the two branches of a DAG in parallel',
    async () => {
      const run = await env.submit({
        pipeline: pipeline('branches', [
          { name: 'start', command: ['sh', '-c', 'echo go'] },
          { name: 'left', command: ['sh', '-c', 'sleep 2; echo left'], dependsOn: ['start'] },
          { name: 'right', command: ['sh', '-c', 'sleep 2; echo right'], dependsOn: ['start'] },
          { name: 'join', command: ['sh', '-c', 'echo join'], dependsOn: ['left', 'right'] }
        ]),
        cache: false
      });
      const done = await env.wait(run.id);
      expect(done.status).toBe('succeeded');
      const step = (n: string) => done.steps.find((s: any) => s.name === n);
      const [l, r] = [step('left'), step('right')];
      const overlap = Math.min(ms(l.finishedAt), ms(r.finishedAt)) - Math.max(ms(l.startedAt), ms(r.startedAt));
      expect(overlap).toBeGreaterThan(1000);
      expect(ms(step('join').startedAt)).toBeGreaterThanOrEqual(Math.max(ms(l.finishedAt), ms(r.finishedAt)));
    },
    T
  );

  test(
    'a 6-way sweep with maxParallel 2 never runs more than 2 children at once',
    async () => {
      const run = await env.submit({
        pipeline: pipeline('sweep', [{ name: 'work', command: ['sh', '-c', 'sleep 1'], params: { lr: 0 } }]),
        sweep: { grid: { lr: [1, 2, 3], seed: [1, 2] }, maxParallel: 2 }
      });
      expect(run.sweep.maxParallel).toBe(2);
      const done = await env.wait(run.id, undefined, 120_000);
      expect(done.status).toBe('succeeded');
      expect(done.sweep.children).toHaveLength(6);
      expect(done.sweep.children.map((c: any) => [c.params.lr, c.params.seed, c.status])).toEqual([
        [1, 1, 'succeeded'],
        [1, 2, 'succeeded'],
        [2, 1, 'succeeded'],
        [2, 2, 'succeeded'],
        [3, 1, 'succeeded'],
        [3, 2, 'succeeded']
      ]);
      const children = await Promise.all(done.sweep.children.map(async (c: any) => json(await env.get(`/runs/${c.id}`))));
      for (const c of children) expect(c.parentId).toBe(run.id);
      const intervals = children.map((c: any) => [ms(c.startedAt), ms(c.finishedAt)] as [number, number]);
      expect(maxOverlap(intervals)).toBe(2);
      const list = await json(await env.get(`/runs?parent=${run.id}`));
      expect(list.runs).toHaveLength(6);
    },
    T
  );

  test(
    'steps that do not fit the machine wait FIFO with their queue position',
    async () => {
      const status = await json(await env.get('/status'));
      const cpus = status.capacity.cpus;
      const run = await env.submit({
        pipeline: pipeline('fifo', ['one', 'two', 'three'].map(name => ({ name, command: ['sh', '-c', `sleep 1; echo ${name}`], resources: { cpus } }))),
        cache: false
      });
      const queued = await env.wait(run.id, r => r.steps.filter((s: any) => s.status === 'queued').length === 2, 30_000);
      expect(queued.steps.map((s: any) => [s.status, s.queuePosition])).toEqual([
        ['running', null],
        ['queued', 0],
        ['queued', 1]
      ]);
      const done = await env.wait(run.id);
      expect(done.status).toBe('succeeded');
      const intervals = done.steps.map((s: any) => [ms(s.startedAt), ms(s.finishedAt)] as [number, number]);
      expect(maxOverlap(intervals)).toBe(1);
    },
    T
  );

  test(
    'cancelling a running run removes its containers and cancels the rest',
    async () => {
      const run = await env.submit({
        pipeline: pipeline('cancel', [
          { name: 'long', command: ['sleep', '120'] },
          { name: 'next', command: ['sh', '-c', 'echo next'], dependsOn: ['long'] }
        ]),
        cache: false
      });
      await env.wait(run.id, r => r.steps[0].status === 'running' && containersOf(run.id).length === 1, 30_000);
      const started = Date.now();
      const res = await env.post(`/runs/${run.id}/cancel`, {});
      expect(res.status).toBe(200);
      const cancelled = await json(res);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.steps.map((s: any) => s.status)).toEqual(['cancelled', 'cancelled']);
      expect(containersOf(run.id)).toEqual([]);
    },
    T
  );

  test(
    'cancelling one step skips its downstream steps',
    async () => {
      const run = await env.submit({
        pipeline: pipeline('cancel-step', [
          { name: 'long', command: ['sleep', '120'] },
          { name: 'after', command: ['sh', '-c', 'echo after'], dependsOn: ['long'] }
        ]),
        cache: false
      });
      await env.wait(run.id, r => r.steps[0].status === 'running', 30_000);
      const res = await env.post(`/runs/${run.id}/steps/long/cancel`, {});
      expect(res.status).toBe(200);
      const done = await env.wait(run.id);
      expect(done.steps.map((s: any) => s.status)).toEqual(['cancelled', 'skipped']);
      expect(done.status).toBe('cancelled');
      expect(containersOf(run.id)).toEqual([]);
    },
    T
  );
});
