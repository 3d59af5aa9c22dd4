import { AuthenticatingFetch } from '../../src/registry/auth';
import { RegistryClient } from '../../src/registry/client';
import { expectError } from '../helpers/expectError';
import { authRegistry, credServer, type AuthRegistry, type CredServer } from './auth-helpers';
import { docker, json, removeLocalTags, tinyImage, uniq } from './helpers';
import { tokenService, type TokenService } from './token-service';

// A real registry with `auth: token`: it answers 401 with a Bearer challenge, and trusts the JWTs
// of a token service (the realm) that checks the credentials.
const USER = `ci${uniq()}`;
const PASSWORD = `pw-${uniq()}-${uniq()}`;
const id = uniq();
const repo = `users/alice/tok${id}`;
const tag = `0.1.0-b${id}`;

let tokens: TokenService;
let reg: AuthRegistry;
let good: CredServer;
let wrong: CredServer;
let tiny: string;

beforeAll(async () => {
  tokens = await tokenService(USER, PASSWORD);
  reg = await authRegistry(USER, PASSWORD, tokens);
  good = await credServer(reg.address, { CONVEYOR_REGISTRY_USERNAME: USER, CONVEYOR_REGISTRY_PASSWORD: PASSWORD });
  wrong = await credServer(reg.address, { CONVEYOR_REGISTRY_USERNAME: USER, CONVEYOR_REGISTRY_PASSWORD: `not-${PASSWORD}` });
  tiny = await tinyImage();
}, 60_000);
afterAll(async () => {
  for (const s of [good, wrong]) await s?.close();
  reg?.stop();
  await tokens?.close();
  await removeLocalTags(reg.address, id);
  await docker.getImage(tiny).remove({ force: true }).catch(() => undefined);
});

const conveyorRequests = () => tokens.requests.filter(r => r.client === 'conveyor');

describe('a registry with token auth', () => {
  test('the registry answers a Bearer challenge naming the realm, service and scope', async () => {
    const res = await fetch(`http://${reg.address}/v2/_catalog`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="${tokens.realm}",service="${tokens.service}",scope="registry:catalog:*"`);
  });

  test('push (engine with authconfig), list, tag lookups and delete work with tokens; tokens are reused', async () => {
    const pushedRes = await good.call('alice', 'POST', '/images/push', { image: tiny, repository: repo, tag });
    const pushed = await json(pushedRes);
    expect(pushedRes.status).toBe(201);
    // The engine fetched its own token for the push with the credentials Conveyor passed it.
    expect(tokens.requests.some(r => r.client === 'docker' && r.granted && r.scopes.some(s => s === `repository:${repo}:pull,push` || s === `repository:${repo}:push,pull`))).toBe(true);

    const list = async () => (await json(await good.call('alice', 'GET', '/images'))).find((i: any) => i.repository === repo && i.tag === tag);
    expect(await list()).toEqual(expect.objectContaining({ digest: pushed.digest }));
    const asked = conveyorRequests().length;
    expect(conveyorRequests().every(r => r.granted)).toBe(true);
    // Listing again within the tokens' lifetime asks the token service for nothing new.
    expect(await list()).toEqual(expect.objectContaining({ digest: pushed.digest }));
    expect(conveyorRequests().length).toBe(asked);

    expect((await good.call('alice', 'DELETE', `/images/${repo}/tags/${tag}`)).status).toBe(204);
    const admin = RegistryClient.from({ address: reg.address, scheme: 'http', username: USER, password: PASSWORD });
    expect(await admin.head(repo, tag)).toBeNull();
    expect(good.logs.join('')).not.toContain(PASSWORD);
  }, 90_000);

  test('a cached token is used until it expires, then a new one is fetched', async () => {
    let now = Date.now();
    const authed = new AuthenticatingFetch({ address: reg.address, username: USER, password: PASSWORD }, fetch, () => now);
    const client = new RegistryClient(reg.address, authed.fetch);
    const before = conveyorRequests().length;
    await client.catalog();
    expect(conveyorRequests().length).toBe(before + 1);
    await client.catalog();
    expect(conveyorRequests().length).toBe(before + 1);
    now += 300_000; // the token service's expires_in
    await client.catalog();
    expect(conveyorRequests().length).toBe(before + 2);
  });

  test('wrong credentials: the token service refuses them, the API answers a clear 502 and nothing is written', async () => {
    const t = `0.2.0-b${uniq()}`;
    const listed = await expectError(await wrong.call('alice', 'GET', '/images'), 502, 'registry_unauthorized');
    expect(listed.error.message).toBe("The registry's token service refused Conveyor's registry credentials (401)");
    await expectError(await wrong.call('alice', 'POST', '/images/push', { image: tiny, repository: repo, tag: t }), 502, 'registry_unauthorized');
    const admin = RegistryClient.from({ address: reg.address, scheme: 'http', username: USER, password: PASSWORD });
    expect(await admin.head(repo, t)).toBeNull();
    expect(JSON.stringify(listed) + wrong.logs.join('')).not.toContain(PASSWORD);
  });
});
