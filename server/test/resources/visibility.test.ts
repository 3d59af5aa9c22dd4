import { TokenService } from '../../src/tokens/service';
import { expectError } from '../helpers/expectError';
import { json } from '../helpers/server';
import { cmdPipeline, startResourcesServer, type ResourcesServer } from './helpers';

const T = 90_000;

let env: ResourcesServer;
const token: Record<string, string> = {};
beforeAll(async () => {
  env = await startResourcesServer(
    { quotas: { users: { uma: { cpus: 1 } } }, budgets: { users: { uma: 100, val: 100 }, projects: { secret: 5 } } },
    { team: true }
  );
  const tokens = new TokenService(env.store);
  for (const [name, admin] of [
    ['root', true],
    ['uma', false],
    ['val', false]
  ] as const) {
    await env.store.users.create(name, admin);
    token[name] = (await tokens.create(name, { name: 't' })).secret;
  }
});
afterAll(() => env.close());

const sleeper = (name: string, s: number) =>
  cmdPipeline(name, [{ name: 'work', command: ['sh', '-c', `sleep ${s}`], resources: { cpus: 1 } }]);

describe('who sees what (team mode)', () => {
  test(
    'users see only their own running and queued steps, usage, budgets and alerts; admins see everyone’s',
    async () => {
      const a = await env.submit({ pipeline: sleeper('one', 3), cache: false }, token.uma);
      await env.wait(a.id, r => r.steps[0].status === 'running', token.uma);
      const b = await env.submit({ pipeline: sleeper('two', 1), cache: false }, token.uma);
      const v = await env.submit({ pipeline: sleeper('vals', 3), cache: false }, token.val);
      await env.wait(b.id, r => r.steps[0].queuePosition !== null, token.uma, 10_000);
      await env.wait(v.id, r => r.steps[0].status === 'running', token.val);

      const asVal = await json(await env.get('/resources', token.val));
      expect(asVal.running.map((r: any) => r.owner)).toEqual(['val']);
      expect(asVal.queue).toEqual([]);
      expect(asVal.budgets.map((x: any) => x.name)).toEqual(['val']);
      const asUma = await json(await env.get('/resources', token.uma));
      expect(asUma.running.map((r: any) => r.owner)).toEqual(['uma']);
      expect(asUma.queue).toEqual([expect.objectContaining({ runId: b.id, owner: 'uma', reason: 'quota', position: 1 })]);
      const asRoot = await json(await env.get('/resources', token.root));
      expect(asRoot.running.map((r: any) => r.owner).sort()).toEqual(['uma', 'val']);
      expect(asRoot.queue.map((q: any) => q.runId)).toEqual([b.id]);
      expect(asRoot.budgets.map((x: any) => `${x.scope}:${x.name}`).sort()).toEqual(['project:secret', 'user:uma', 'user:val']);
      const onlyUma = await json(await env.get('/resources?user=uma', token.root));
      expect(onlyUma.running.map((r: any) => r.owner)).toEqual(['uma']);

      await expectError(await env.get('/resources?user=uma', token.val), 403, 'forbidden');
      await expectError(await env.get('/usage?user=uma', token.val), 403, 'forbidden');
      await expectError(await env.get('/alerts?all=1', token.val), 403, 'forbidden');
      expect((await env.get('/usage?user=uma', token.root)).status).toBe(200);
      expect((await env.get('/alerts?all=1', token.root)).status).toBe(200);
      // Someone else's run is not theirs to see.
      await expectError(await env.get(`/runs/${a.id}`, token.val), 404, 'run_not_found');

      for (const [id, who] of [
        [a.id, token.uma],
        [b.id, token.uma],
        [v.id, token.val]
      ])
        await env.wait(id, undefined, who);
      const everyone = await json(await env.get('/usage?user=*', token.root));
      expect(everyone.user).toBeUndefined();
      const umas = await json(await env.get('/usage', token.uma));
      expect(umas.total).toBeGreaterThan(0);
      expect(everyone.total).toBeGreaterThan(umas.total);
    },
    T
  );
});
