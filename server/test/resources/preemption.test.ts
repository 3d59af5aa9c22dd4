import { choosePreemptions } from '../../src/runs/admission';
import { json } from '../helpers/server';
import { cmdPipeline, startResourcesServer, type ResourcesServer } from './helpers';

const T = 90_000;
const ms = (iso: string): number => Date.parse(iso);

let env: ResourcesServer;
beforeAll(async () => {
  env = await startResourcesServer({});
});
afterAll(() => env.close());

describe('preemptible runs (real engine)', () => {
  test(
    'a preemptible step yields the machine to non-preemptible work and is requeued, resuming after its last finished step',
    async () => {
      const capacity = (await json(await env.get('/resources'))).capacity.cpus as number;
      // Each asks for three quarters of the machine: the two cannot run together.
      const big = Math.round(capacity * 0.75 * 100) / 100;
      const p = await env.submit(
        {
          pipeline: cmdPipeline('cheap', [
            { name: 'prepare', command: ['sh', '-c', 'echo ready'], resources: { cpus: 0.25 } },
            { name: 'train', command: ['sh', '-c', 'sleep 3'], resources: { cpus: big }, dependsOn: ['prepare'] }
          ]),
          preemptible: true,
          cache: false
        },
        'pat'
      );
      await env.wait(p.id, r => r.steps[1].status === 'running', 'pat');
      const running = (await json(await env.get('/resources', 'pat'))).running;
      expect(running).toEqual([expect.objectContaining({ runId: p.id, step: 'train', preemptible: true })]);

      const n = await env.submit(
        { pipeline: cmdPipeline('urgent', [{ name: 'work', command: ['sh', '-c', 'sleep 1'], resources: { cpus: big } }]), cache: false },
        'nia'
      );
      const requeued = await env.wait(p.id, r => r.steps[1].status === 'queued', 'pat', 15_000);
      expect(requeued.status).toBe('running');
      expect(requeued.steps[1].error.message).toBe('Preempted to make room for non-preemptible work; requeued');
      expect(requeued.steps[1].attempt).toBe(0);
      expect(requeued.steps[0].status).toBe('succeeded');

      const nDone = await env.wait(n.id, undefined, 'nia');
      const pDone = await env.wait(p.id, undefined, 'pat');
      expect([nDone.status, pDone.status]).toEqual(['succeeded', 'succeeded']);
      const [prepare, train] = pDone.steps;
      // The finished step ran once, before the preemption; the preempted one ran again in full after the urgent work.
      expect(prepare.attempt).toBe(1);
      expect(ms(prepare.finishedAt)).toBeLessThan(ms(nDone.steps[0].startedAt));
      expect(train.attempt).toBe(1);
      expect(train.error).toBeNull();
      expect(ms(train.finishedAt) - ms(nDone.steps[0].finishedAt)).toBeGreaterThanOrEqual(3000);
    },
    T
  );

  test(
    'preemptible work does not preempt preemptible work',
    async () => {
      const capacity = (await json(await env.get('/resources'))).capacity.cpus as number;
      const big = Math.round(capacity * 0.75 * 100) / 100;
      const step = (name: string, s: number) =>
        cmdPipeline(name, [{ name: 'work', command: ['sh', '-c', `sleep ${s}`], resources: { cpus: big } }]);
      const first = await env.submit({ pipeline: step('first', 2), preemptible: true, cache: false }, 'pat');
      await env.wait(first.id, r => r.steps[0].status === 'running', 'pat');
      const second = await env.submit({ pipeline: step('second', 1), preemptible: true, cache: false }, 'pat');
      const [a, b] = [await env.wait(first.id, undefined, 'pat'), await env.wait(second.id, undefined, 'pat')];
      expect(a.steps[0].error).toBeNull();
      expect(a.steps[0].attempt).toBe(1);
      expect(ms(b.steps[0].startedAt)).toBeGreaterThanOrEqual(ms(a.steps[0].finishedAt));
    },
    T
  );
});

describe('choosing what to preempt', () => {
  const step = (name: string, startedAt: string, cpus: number, preempted = false) => ({
    name,
    startedAt: new Date(startedAt),
    reservation: { cpus, memoryBytes: 0, gpuIds: [] },
    preempted
  });
  const want = (cpus: number) => ({ cpus, memoryBytes: 0, gpus: 0 });
  const free = (cpus: number) => ({ cpus, memoryBytes: 0, gpus: 0 });

  test('stops the newest steps first, only as many as needed', () => {
    const running = [
      step('old', '2026-01-01T00:00:00Z', 1),
      step('mid', '2026-01-01T00:01:00Z', 1),
      step('new', '2026-01-01T00:02:00Z', 1)
    ];
    expect(choosePreemptions(free(0.5), want(1.5), running)!.map(s => s.name)).toEqual(['new']);
    expect(choosePreemptions(free(0), want(2), running)!.map(s => s.name)).toEqual(['new', 'mid']);
  });

  test('counts steps already being stopped, and stops nothing when even all would not be enough', () => {
    const running = [step('a', '2026-01-01T00:00:00Z', 1, true), step('b', '2026-01-01T00:01:00Z', 1)];
    expect(choosePreemptions(free(0), want(1), running)).toEqual([]);
    expect(choosePreemptions(free(0), want(3), running)).toBeNull();
  });
});
