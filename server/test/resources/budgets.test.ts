import WebSocket from 'ws';
import { expectError } from '../helpers/expectError';
import { json, secretHeaders } from '../helpers/server';
import { cmdPipeline, startResourcesServer, type ResourcesServer } from './helpers';

const T = 90_000;

const config = {
  // $1 per second: a 2-second step crosses 50%, 80% and 100% of a $2 budget.
  profiles: [
    { name: 'pricey', cpus: 0.5, memory: '64Mi', pricePerHour: 3600, preemptiblePricePerHour: 360 },
    { name: 'free', cpus: 0.5, memory: '64Mi', pricePerHour: 0 }
  ],
  teams: { ops: ['dave'] },
  budgets: { users: { carol: 2 }, teams: { ops: 3 }, projects: { thrifty: 1000 } }
};

let env: ResourcesServer;
beforeAll(async () => {
  env = await startResourcesServer(config);
});
afterAll(() => env.close());

const step = (name: string, seconds: number, profile = 'pricey') =>
  cmdPipeline(name, [
    {
      name: 'work',
      command: ['sh', '-c', `sleep ${seconds}`],
      resources: { profile }
    }
  ]);

/** Collects the websocket events a user receives. */
function listen(user: string): {
  events: any[];
  close(): void;
  ready: Promise<void>;
} {
  const ws = new WebSocket(`${env.url.replace('http', 'ws')}/ws`, {
    headers: secretHeaders(user)
  });
  const events: any[] = [];
  ws.on('message', data => events.push(JSON.parse(String(data))));
  const ready = new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  return { events, ready, close: () => ws.close() };
}

describe('metering and budgets (real engine)', () => {
  test(
    'a 2-second step at $1/s crosses 50/80/100%: one alert event per threshold, recorded, and the next submit is 403 budget_exceeded',
    async () => {
      const ws = listen('carol');
      const other = listen('bob');
      await Promise.all([ws.ready, other.ready]);
      const run = await env.submit({ pipeline: step('spend', 2), cache: false, experiment: 'thrifty' }, 'carol');
      const done = await env.wait(run.id, undefined, 'carol');
      expect(done.status).toBe('succeeded');
      await new Promise(r => setTimeout(r, 300));
      const alerts = ws.events.filter(e => e.type === 'alert');
      expect(alerts.map(a => [a.scope, a.name, a.threshold])).toEqual([
        ['user', 'carol', 0.5],
        ['user', 'carol', 0.8],
        ['user', 'carol', 1]
      ]);
      expect(alerts[2].message).toMatch(/^Your budget for \d{4}-\d{2} is used up: \$\d+\.\d\d of \$2\.00\. New work is refused\.$/);
      expect(other.events.filter(e => e.type === 'alert')).toEqual([]);
      ws.close();
      other.close();

      const stored = await json(await env.get('/alerts', 'carol'));
      expect(stored.alerts.map((a: any) => a.threshold)).toEqual([1, 0.8, 0.5]);
      expect((await json(await env.get('/alerts', 'bob'))).alerts).toEqual([]);

      const budgets = (await json(await env.get('/budgets', 'carol'))).budgets;
      const mine = budgets.find((b: any) => b.scope === 'user' && b.name === 'carol');
      // Cost = container lifetime × price: at least the 2 s slept, at most a few seconds of overhead more.
      expect(mine.spent).toBeGreaterThanOrEqual(2);
      expect(mine.spent).toBeLessThan(8);
      expect(mine.fraction).toBeGreaterThanOrEqual(1);

      const refused = await expectError(await env.post('/runs', { pipeline: step('more', 1, 'free') }, 'carol'), 403, 'budget_exceeded');
      expect(refused.error.message).toMatch(/The budget of carol for \d{4}-\d{2} is used up/);
      expect(refused.error.details).toEqual(expect.objectContaining({ scope: 'user', name: 'carol', limit: 2 }));
      // Rerunning or resuming is new work too.
      await expectError(await env.post(`/runs/${run.id}/rerun`, {}, 'carol'), 403, 'budget_exceeded');
      await expectError(await env.post(`/runs/${run.id}/resume`, {}, 'carol'), 403, 'budget_exceeded');
      // Someone else is not affected.
      expect((await env.post('/runs', { pipeline: step('cheap', 0, 'free'), cache: false }, 'bob')).status).toBe(201);

      const overview = await json(await env.get('/resources', 'carol'));
      expect(overview.usage).toEqual({ user: 'carol', period: mine.period, spent: mine.spent });
      const today = new Date().toISOString().slice(0, 10);
      const usage = await json(await env.get(`/usage?from=${today}&to=${today}`, 'carol'));
      expect(usage.user).toBe('carol');
      expect(usage.days).toEqual([{ day: today, cost: expect.any(Number), seconds: expect.any(Number) }]);
      expect(usage.total).toBeCloseTo(mine.spent, 1);
      expect(usage.days[0].seconds).toBeGreaterThanOrEqual(2);
    },
    T
  );

  test(
    'with stopRunningAtBudget, running work of a team over its budget is cancelled',
    async () => {
      const env = await startResourcesServer({ ...config, stopRunningAtBudget: true });
      try {
        await stopsAtBudget(env);
      } finally {
        await env.close();
      }
    },
    T
  );

  async function stopsAtBudget(env: ResourcesServer): Promise<void> {
    const run = await env.submit({ pipeline: step('long', 60), cache: false }, 'dave');
    const done = await env.wait(run.id, undefined, 'dave', 30_000);
    expect(done.status).toBe('cancelled');
    expect(done.steps[0].status).toBe('cancelled');
    expect(done.steps[0].error.message).toMatch(/^Stopped: the team budget of ops for \d{4}-\d{2} is used up \(\$\d+\.\d\d of \$3\.00\)$/);
    const took = Date.parse(done.finishedAt) - Date.parse(done.startedAt);
    expect(took).toBeLessThan(15_000);
    const alerts = (await json(await env.get('/alerts', 'dave'))).alerts;
    expect(alerts[0]).toEqual(
      expect.objectContaining({
        scope: 'team',
        name: 'ops',
        threshold: 1,
        recipient: 'dave'
      })
    );
    expect(alerts[0].message).toMatch(/New work is refused and running work was stopped\.$/);
    await expectError(await env.post('/runs', { pipeline: step('again', 1) }, 'dave'), 403, 'budget_exceeded');
  }

  test('usage takes days or ISO date-times; bad ones are 400', async () => {
    await expectError(await env.get('/usage?from=yesterday', 'carol'), 400, 'invalid_request');
    const now = new Date();
    const iso = await json(await env.get(`/usage?from=${now.toISOString().slice(0, 8)}01T00:00:00.000Z&to=${now.toISOString()}`, 'carol'));
    expect(iso.to).toBe(now.toISOString().slice(0, 10));
    expect(iso.days[iso.days.length - 1].cost).toBeGreaterThanOrEqual(2);
    await expectError(await env.get('/usage?from=2026-02-01&to=2026-01-01', 'carol'), 400, 'invalid_request');
  });
});
