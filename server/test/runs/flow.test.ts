import { json } from '../helpers/server';
import { notebook, pipeline, runsEnv, type RunsEnv } from './helpers';

let env: RunsEnv;
beforeAll(async () => {
  env = await runsEnv();
});
afterAll(() => env.close());

const T = 120_000;

describe('running pipelines', () => {
  test.concurrent(
    'passes an upstream output to a downstream step as an input',
    async () => {
      const run = await env.submit({
        pipeline: pipeline('inputs', [
          { name: 'make', command: ['sh', '-c', 'echo hello-input > out.txt'], outputs: ['out.txt'] },
          { name: 'use', command: ['sh', '-c', 'cat inputs/data && test "$(cat inputs/data)" = hello-input'], inputs: { data: 'make.out.txt' } }
        ])
      });
      const done = await env.wait(run.id);
      expect(done.status).toBe('succeeded');
      expect(done.steps.map((s: any) => [s.name, s.status])).toEqual([['make', 'succeeded'], ['use', 'succeeded']]);
      expect(done.steps[0].outputs).toEqual([expect.objectContaining({ name: 'out.txt', size: 12 })]);
      const logs = await json(await env.get(`/runs/${run.id}/steps/use/logs`));
      expect(logs.lines).toContain('hello-input');
      expect(logs.done).toBe(true);
      const out = await env.get(`/runs/${run.id}/steps/make/outputs/out.txt`);
      expect(await out.text()).toBe('hello-input\n');
    },
    T
  );

  test.concurrent(
    'a failing notebook fails its step with the cell and traceback, skips downstream and fails the run',
    async () => {
      env.write('fail/boom.ipynb', notebook(['x = 1', 'raise ValueError("boom " + str(x))']));
      const run = await env.submit({
        pipeline: pipeline('failing', [
          { name: 'boom', notebook: 'boom.ipynb' },
          { name: 'after', command: ['sh', '-c', 'echo never'], dependsOn: ['boom'] }
        ]),
        baseDir: 'fail'
      });
      const done = await env.wait(run.id);
      expect(done.status).toBe('failed');
      const [boom, after] = done.steps;
      expect(boom.status).toBe('failed');
      expect(boom.error).toEqual(expect.objectContaining({ ename: 'ValueError', evalue: 'boom 1', cellIndex: expect.any(Number) }));
      expect(boom.error.traceback.join('\n')).toContain('boom');
      expect(boom.attempt).toBe(1);
      expect(after.status).toBe('skipped');
      expect(after.attempt).toBe(0);
      expect(done.error).toContain('ValueError: boom 1');
      const nb = await json(await env.get(`/runs/${run.id}/steps/boom/notebook`));
      expect(nb.nbformat).toBe(4);
    },
    T
  );

  test.concurrent(
    'retries a failing command and keeps each attempt’s log',
    async () => {
      const run = await env.submit({
        pipeline: pipeline('retry', [
          {
            name: 'flaky',
            command: ['sh', '-c', 'echo "attempt $CONVEYOR_ATTEMPT"; [ "$CONVEYOR_ATTEMPT" -ge 2 ] || exit 3'],
            retry: { attempts: 3, backoffSeconds: 0.2 }
          }
        ])
      });
      const done = await env.wait(run.id);
      expect(done.status).toBe('succeeded');
      expect(done.steps[0]).toEqual(expect.objectContaining({ status: 'succeeded', attempt: 2, exitCode: 0 }));
      const first = await json(await env.get(`/runs/${run.id}/steps/flaky/logs?attempt=1`));
      const second = await json(await env.get(`/runs/${run.id}/steps/flaky/logs?attempt=2`));
      expect(first.lines).toContain('attempt 1');
      expect(second.lines).toContain('attempt 2');
    },
    T
  );

  test.concurrent(
    'does not retry a notebook error unless onExitCodes says so',
    async () => {
      env.write('nr/err.ipynb', notebook(['raise RuntimeError("nope")']));
      const run = await env.submit({ notebook: { path: 'nr/err.ipynb', retry: { attempts: 3, backoffSeconds: 0 } } });
      const done = await env.wait(run.id);
      expect(done.status).toBe('failed');
      expect(done.steps[0]).toEqual(expect.objectContaining({ name: 'err', attempt: 1 }));
    },
    T
  );

  test.concurrent(
    'a notebook run shows the parameters it was submitted with, and its resume keeps them',
    async () => {
      env.write('np/params.ipynb', notebook(['print(f"n={n} tag={tag}")', 'assert n != 5, "five"'], 'n = 1\ntag = "x"'));
      const run = await env.submit({ notebook: { path: 'np/params.ipynb', params: { n: 5 } }, params: { tag: 'y' } });
      expect(run.params).toEqual({ n: 5, tag: 'y' });
      const done = await env.wait(run.id);
      expect(done.status).toBe('failed');
      const logs = await json(await env.get(`/runs/${run.id}/steps/params/logs`));
      expect(logs.lines).toContain('n=5 tag=y');
      const listed = await json(await env.get('/runs?q=params'));
      expect(listed.runs.find((r: any) => r.id === run.id).params).toEqual({ n: 5, tag: 'y' });
      env.write('np/params.ipynb', notebook(['print(f"fixed n={n} tag={tag}")'], 'n = 1\ntag = "x"'));
      const resumed = await env.wait((await json(await env.post(`/runs/${run.id}/resume`, {}))).id);
      expect(resumed.status).toBe('succeeded');
      expect(resumed.params).toEqual({ n: 5, tag: 'y' });
      expect((await json(await env.get(`/runs/${resumed.id}/steps/params/logs`))).lines).toContain('fixed n=5 tag=y');
    },
    T
  );

  test.concurrent(
    'stops a step at its timeout',
    async () => {
      const started = Date.now();
      const run = await env.submit({ pipeline: pipeline('timeout', [{ name: 'slow', command: ['sleep', '60'], timeoutSeconds: 1 }]) });
      const done = await env.wait(run.id);
      expect(done.status).toBe('failed');
      expect(done.steps[0].error.message.toLowerCase()).toContain('time');
      expect(Date.now() - started).toBeLessThan(30_000);
    },
    T
  );

  test.concurrent(
    'reuses identical steps from the cache, and runs them again with cache:false',
    async () => {
      const p = pipeline('cached', [
        { name: 'one', command: ['sh', '-c', 'echo cached-one > o.txt'], outputs: ['o.txt'] },
        { name: 'two', command: ['sh', '-c', 'cat inputs/x'], inputs: { x: 'one.o.txt' } }
      ]);
      const first = await env.wait((await env.submit({ pipeline: p })).id);
      expect(first.status).toBe('succeeded');
      const second = await env.wait((await env.submit({ pipeline: p })).id);
      expect(second.status).toBe('succeeded');
      for (const step of second.steps) {
        expect(step).toEqual(expect.objectContaining({ status: 'succeeded', cachedFrom: first.id, attempt: 0 }));
      }
      expect(second.steps[0].outputs).toEqual(first.steps[0].outputs);
      const uncached = await env.wait((await env.submit({ pipeline: p, cache: false })).id);
      expect(uncached.steps.map((s: any) => [s.cachedFrom, s.attempt])).toEqual([[null, 1], [null, 1]]);
      const stepOff = pipeline('cached', [{ ...(p.steps as any[])[0], cache: false }, (p.steps as any[])[1]]);
      const partly = await env.wait((await env.submit({ pipeline: stepOff })).id);
      expect(partly.steps[0].cachedFrom).toBeNull();
      expect(partly.steps[1].cachedFrom).not.toBeNull();
    },
    T
  );

  test.concurrent(
    'resumes a failed run after the notebook is fixed: only the failed step and downstream run',
    async () => {
      env.write('res/train.ipynb', notebook(['raise ValueError("not yet")']));
      const p = pipeline('resume', [
        { name: 'prep', command: ['sh', '-c', 'echo prep-resume > p.txt'], outputs: ['p.txt'] },
        { name: 'train', notebook: 'train.ipynb', inputs: { p: 'prep.p.txt' } },
        { name: 'report', command: ['sh', '-c', 'echo report-resume'], dependsOn: ['train'] }
      ]);
      const failed = await env.wait((await env.submit({ pipeline: p, baseDir: 'res' })).id);
      expect(failed.steps.map((s: any) => s.status)).toEqual(['succeeded', 'failed', 'skipped']);
      env.write('res/train.ipynb', notebook(['print(open("inputs/p").read())']));
      const res = await env.post(`/runs/${failed.id}/resume`, {});
      expect(res.status).toBe(201);
      const resumed = await env.wait((await json(res)).id);
      expect(resumed.resumedFrom).toBe(failed.id);
      expect(resumed.status).toBe('succeeded');
      const [prep, train, report] = resumed.steps;
      expect(prep).toEqual(expect.objectContaining({ status: 'succeeded', cachedFrom: failed.id, attempt: 0 }));
      expect(train).toEqual(expect.objectContaining({ status: 'succeeded', cachedFrom: null, attempt: 1 }));
      expect(report).toEqual(expect.objectContaining({ status: 'succeeded', cachedFrom: null, attempt: 1 }));
      const diff = await env.get(`/runs/diff?a=${failed.id}/train&b=${resumed.id}/train`);
      expect(diff.status).toBe(200);
      expect(JSON.stringify(await json(diff))).toContain('not yet');

      const rerun = await env.post(`/runs/${failed.id}/rerun`, { cache: false });
      expect(rerun.status).toBe(201);
      const again = await env.wait((await json(rerun)).id);
      expect(again.resumedFrom).toBe(failed.id);
      // Same inputs as the original: the broken notebook snapshot fails again.
      expect(again.steps.map((s: any) => s.status)).toEqual(['succeeded', 'failed', 'skipped']);
    },
    T
  );
});
