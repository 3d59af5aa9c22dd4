import { TokenService } from '../src/tokens/service';
import { expectError } from './helpers/expectError';
import { json, startTestServer, type TestServer } from './helpers/server';

let t: TestServer;
let aliceSecret: string;
let bobSecret: string;
let bobTokenId: string;

const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });

beforeAll(async () => {
  t = await startTestServer({ mode: 'team', secret: undefined });
  await t.store.users.create('alice', false);
  await t.store.users.create('bob', true);
  const tokens = new TokenService(t.store);
  aliceSecret = (await tokens.create('alice', { name: 'a' })).secret;
  const bob = await tokens.create('bob', { name: 'b' });
  bobSecret = bob.secret;
  bobTokenId = bob.token.id;
});
afterAll(async () => t.close());

describe('team-mode authentication', () => {
  test('no token is a 401', async () => {
    await expectError(await fetch(`${t.url}/health`), 401, 'unauthenticated');
  });

  test('an unknown token is a 401', async () => {
    await expectError(await fetch(`${t.url}/health`, { headers: bearer('cvy_not-a-real-token') }), 401, 'unauthenticated');
  });

  test('the embedded secret and user header do not work in team mode', async () => {
    const res = await fetch(`${t.url}/status`, { headers: { 'X-Conveyor-Secret': 'anything', 'X-Conveyor-User': 'bob' } });
    await expectError(res, 401, 'unauthenticated');
  });

  test('an expired token is a 401', async () => {
    const past = new TokenService(t.store, () => new Date(Date.now() - 3 * 24 * 3600 * 1000));
    const expired = await past.create('alice', { name: 'old', expiresInDays: 1 });
    await expectError(await fetch(`${t.url}/health`, { headers: bearer(expired.secret) }), 401, 'unauthenticated');
  });

  test('a valid token acts as its user and records its last use', async () => {
    const status = await json(await fetch(`${t.url}/status`, { headers: bearer(aliceSecret) }));
    expect(status.user).toEqual({ name: 'alice', admin: false });
    expect(status.server.mode).toBe('team');
    const list = await json(await fetch(`${t.url}/tokens`, { headers: bearer(aliceSecret) }));
    const used = list.find((x: { name: string }) => x.name === 'a');
    expect(used.lastUsedAt).not.toBeNull();
  });
});

describe('tokens belong to one user', () => {
  test("alice's listing shows only her tokens", async () => {
    const list = await json(await fetch(`${t.url}/tokens`, { headers: bearer(aliceSecret) }));
    expect(list.length).toBeGreaterThan(0);
    expect(list.map((x: { id: string }) => x.id)).not.toContain(bobTokenId);
  });

  test("alice cannot delete bob's token: 404, and bob's token still works", async () => {
    await expectError(
      await fetch(`${t.url}/tokens/${bobTokenId}`, { method: 'DELETE', headers: bearer(aliceSecret) }),
      404,
      'not_found'
    );
    const res = await fetch(`${t.url}/status`, { headers: bearer(bobSecret) });
    expect((await json(res)).user.name).toBe('bob');
  });

  test('a token created with a token belongs to the caller, and revoking it ends access', async () => {
    const res = await fetch(`${t.url}/tokens`, {
      method: 'POST',
      headers: { ...bearer(aliceSecret), 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'second' })
    });
    expect(res.status).toBe(201);
    const created = await json(res);
    const me = await json(await fetch(`${t.url}/status`, { headers: bearer(created.secret) }));
    expect(me.user.name).toBe('alice');
    const bobList = await json(await fetch(`${t.url}/tokens`, { headers: bearer(bobSecret) }));
    expect(bobList.map((x: { id: string }) => x.id)).not.toContain(created.token.id);
    const del = await fetch(`${t.url}/tokens/${created.token.id}`, { method: 'DELETE', headers: bearer(aliceSecret) });
    expect(del.status).toBe(204);
    await expectError(await fetch(`${t.url}/health`, { headers: bearer(created.secret) }), 401, 'unauthenticated');
  });
});
