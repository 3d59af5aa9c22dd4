import { expectError } from '../helpers/expectError';
import { json } from '../helpers/server';
import { cmdPipeline, startResourcesServer, type ResourcesServer } from './helpers';

const T = 90_000;
const ms = (iso: string): number => Date.parse(iso);

let env: ResourcesServer;
beforeAll(async () => {
  env = await startResourcesServer({
    profiles: [{ name: 'tiny', cpus: 0.5, memory: '64Mi', pricePerHour: 0.01 }],
    teams: { ml: ['erin', 'frank'] },
    quotas: {
      users: { alice: { cpus: 1 } },
      teams: { ml: { cpus: 1, memoryBytes: 512 * 1024 ** 2 } }
    }
  });
});
afterAll(() => env.close());

const sleeper = (name: string, seconds: number, cpus = 1) =>
  cmdPipeline(name, [
    {
      name: 'work',
      command: ['sh', '-c', `sleep ${seconds}`],
      resources: { cpus, memory: '64Mi' }
    }
  ]);

async function overview(user: string): Promise<any> {
  const res = await env.get('/resources', user);
  expect(res.status).toBe(200);
  return json(res);
}

describe('admission with quotas (real engine)', () => {
  test(
    'a second step over the quota waits with reason quota at position 1, then runs when the first finishes; others are not held up',
    async () => {
      const a = await env.submit({ pipeline: sleeper('first', 3), cache: false }, 'alice');
      await env.wait(a.id, r => r.steps[0].status === 'running', 'alice');
      const b = await env.submit({ pipeline: sleeper('second', 1), cache: false }, 'alice');
      const bob = await env.submit({ pipeline: sleeper('bobs', 1), cache: false }, 'bob');
      // Alice's second step waits on her quota; Bob has none and starts at once.
      const seen = await env.wait(b.id, r => r.steps[0].status === 'queued' && r.steps[0].queuePosition !== null, 'alice', 10_000);
      expect(seen.steps[0].queuePosition).toBe(0);
      const o = await overview('alice');
      expect(o.capacity.cpus).toBeGreaterThan(0);
      expect(o.queue).toEqual([
        expect.objectContaining({
          position: 1,
          runId: b.id,
          step: 'work',
          owner: 'alice',
          priority: 'normal',
          reason: 'quota',
          cpus: 1
        })
      ]);
      expect(o.queue[0].message).toMatch(/quota of alice \(1 CPUs\)/);
      expect(o.running.filter((r: any) => r.owner === 'alice')).toEqual([
        expect.objectContaining({ runId: a.id, cpus: 1, preemptible: false })
      ]);
      expect(o.quotas).toEqual(
        expect.arrayContaining([
          {
            scope: 'user',
            name: 'alice',
            limits: { cpus: 1 },
            used: { cpus: 1, memoryBytes: 64 * 1024 ** 2, gpus: 0 }
          }
        ])
      );
      expect(o.reserved.cpus).toBeGreaterThanOrEqual(1);
      const bobDone = await env.wait(bob.id, undefined, 'bob');
      expect(bobDone.status).toBe('succeeded');
      const [aDone, bDone] = [await env.wait(a.id, undefined, 'alice'), await env.wait(b.id, undefined, 'alice')];
      expect([aDone.status, bDone.status]).toEqual(['succeeded', 'succeeded']);
      expect(ms(bDone.steps[0].startedAt)).toBeGreaterThanOrEqual(ms(aDone.steps[0].finishedAt));
      expect(ms(bobDone.steps[0].finishedAt)).toBeLessThan(ms(aDone.steps[0].finishedAt));
      expect((await overview('alice')).queue).toEqual([]);
    },
    T
  );

  test(
    'a team quota holds back a member while another member uses it',
    async () => {
      const e = await env.submit({ pipeline: sleeper('erin', 3), cache: false }, 'erin');
      await env.wait(e.id, r => r.steps[0].status === 'running', 'erin');
      const f = await env.submit({ pipeline: sleeper('frank', 1), cache: false }, 'frank');
      await env.wait(f.id, r => r.steps[0].queuePosition !== null, 'frank', 10_000);
      const o = await overview('frank');
      expect(o.queue).toEqual([expect.objectContaining({ runId: f.id, reason: 'quota' })]);
      expect(o.queue[0].message).toMatch(/quota of team ml/);
      const [eDone, fDone] = [await env.wait(e.id, undefined, 'erin'), await env.wait(f.id, undefined, 'frank')];
      expect(ms(fDone.steps[0].startedAt)).toBeGreaterThanOrEqual(ms(eDone.steps[0].finishedAt));
    },
    T
  );

  test(
    'waiting steps start by priority, FIFO within a priority',
    async () => {
      const a = await env.submit({ pipeline: sleeper('hold', 2), cache: false }, 'alice');
      await env.wait(a.id, r => r.steps[0].status === 'running', 'alice');
      const low = await env.submit({ pipeline: sleeper('low', 1), cache: false, priority: 'low' }, 'alice');
      const n1 = await env.submit({ pipeline: sleeper('normal-1', 1), cache: false }, 'alice');
      const high = await env.submit({ pipeline: sleeper('high', 1), cache: false, priority: 'high' }, 'alice');
      const n2 = await env.submit({ pipeline: sleeper('normal-2', 1), cache: false }, 'alice');
      await env.wait(n2.id, r => r.steps[0].queuePosition !== null, 'alice', 10_000);
      const o = await overview('alice');
      expect(o.queue.map((q: any) => [q.position, q.runId, q.priority])).toEqual([
        [1, high.id, 'high'],
        [2, n1.id, 'normal'],
        [3, n2.id, 'normal'],
        [4, low.id, 'low']
      ]);
      const done = [];
      for (const r of [high, n1, n2, low]) done.push(await env.wait(r.id, undefined, 'alice'));
      const starts = done.map(d => ms(d.steps[0].startedAt));
      expect([...starts].sort((x, y) => x - y)).toEqual(starts);
    },
    T
  );

  test(
    "a user's later, smaller step does not pass their earlier step waiting on quota; other users are not held up",
    async () => {
      const a = await env.submit({ pipeline: sleeper('half', 3, 0.5), cache: false }, 'alice');
      await env.wait(a.id, r => r.steps[0].status === 'running', 'alice');
      // 0.5 + 1 is over Alice's 1 CPU: waits. 0.5 + 0.5 would fit, but it came later.
      const big = await env.submit({ pipeline: sleeper('big', 1, 1), cache: false }, 'alice');
      const small = await env.submit({ pipeline: sleeper('small', 1, 0.5), cache: false }, 'alice');
      const bob = await env.submit({ pipeline: sleeper('bob-small', 1, 0.5), cache: false }, 'bob');
      await env.wait(small.id, r => r.steps[0].queuePosition !== null, 'alice', 10_000);
      const o = await overview('alice');
      expect(o.queue.map((q: any) => [q.position, q.runId, q.reason])).toEqual([
        [1, big.id, 'quota'],
        [2, small.id, 'quota']
      ]);
      expect(o.queue[1].message).toBe('Waiting behind an earlier step of alice that waits on quota');
      const bobDone = await env.wait(bob.id, undefined, 'bob');
      const [aDone, bigDone, smallDone] = [
        await env.wait(a.id, undefined, 'alice'),
        await env.wait(big.id, undefined, 'alice'),
        await env.wait(small.id, undefined, 'alice')
      ];
      expect([bobDone.status, aDone.status, bigDone.status, smallDone.status]).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
      expect(ms(bobDone.steps[0].finishedAt)).toBeLessThan(ms(aDone.steps[0].finishedAt));
      expect(ms(bigDone.steps[0].startedAt)).toBeGreaterThanOrEqual(ms(aDone.steps[0].finishedAt));
      expect(ms(smallDone.steps[0].startedAt)).toBeGreaterThanOrEqual(ms(bigDone.steps[0].startedAt));
    },
    T
  );

  test('a step larger than the quota itself is refused at submit with 422 exceeds_quota', async () => {
    const body = await expectError(await env.post('/runs', { pipeline: sleeper('huge', 1, 1.5) }, 'alice'), 422, 'exceeds_quota');
    expect(body.error.message).toBe('Step "work" asks for 1.5 cpus but the quota of alice allows 1 at once');
    expect(body.error.details).toEqual(
      expect.objectContaining({
        step: 'work',
        resource: 'cpus',
        requested: 1.5,
        limit: 1,
        scope: 'user'
      })
    );
    const mem = await expectError(
      await env.post(
        '/runs',
        {
          pipeline: cmdPipeline('big', [
            {
              name: 'm',
              command: ['true'],
              resources: { cpus: 0.5, memory: '1Gi' }
            }
          ])
        },
        'erin'
      ),
      422,
      'exceeds_quota'
    );
    expect(mem.error.message).toMatch(/the quota of team ml allows 536870912/);
  });

  test('a bad priority is a 400, and a step no machine could hold is still 422 exceeds_capacity', async () => {
    await expectError(await env.post('/runs', { pipeline: sleeper('p', 1), priority: 'urgent' }, 'bob'), 400, 'invalid_request');
    await expectError(await env.post('/runs', { pipeline: sleeper('p', 1, 512) }, 'bob'), 422, 'exceeds_capacity');
  });
});
