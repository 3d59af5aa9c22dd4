import pino from 'pino';
import { RegistryCatalog } from '../../src/registry/catalog';
import { RegistryClient } from '../../src/registry/client';
import { ImagePusher } from '../../src/registry/push';
import { expectError } from '../helpers/expectError';
import { TEST_IMAGE } from '../helpers/env';
import { authRegistry, credServer, type AuthRegistry, type CredServer } from './auth-helpers';
import { docker, json, removeLocalTags, tinyImage, uniq } from './helpers';

// A second, real registry that requires a login (htpasswd, bcrypt), as a team's registry does.
const USER = `ci${uniq()}`;
const PASSWORD = `pw-${uniq()}-${uniq()}`;
const WRONG = `wrong-${uniq()}`;
const id = uniq();
const repo = `users/alice/auth${id}`;
const tag = `0.1.0-b${id}`;

let reg: AuthRegistry;
let good: CredServer;
let wrong: CredServer;
let anonymous: CredServer;
let tiny: string;
let admin: RegistryClient;

beforeAll(async () => {
  reg = await authRegistry(USER, PASSWORD);
  good = await credServer(reg.address, { CONVEYOR_REGISTRY_USERNAME: USER, CONVEYOR_REGISTRY_PASSWORD: PASSWORD });
  wrong = await credServer(reg.address, { CONVEYOR_REGISTRY_USERNAME: USER, CONVEYOR_REGISTRY_PASSWORD: WRONG });
  anonymous = await credServer(reg.address, {});
  admin = RegistryClient.from({ address: reg.address, scheme: 'http', username: USER, password: PASSWORD });
  tiny = await tinyImage({ 'io.conveyor.packages.python': 'six==1.16.0' });
}, 60_000);
afterAll(async () => {
  for (const s of [good, wrong, anonymous]) await s?.close();
  reg?.stop();
  await removeLocalTags(reg.address, id);
  await docker.getImage(tiny).remove({ force: true }).catch(() => undefined);
});

/** No secret in any answer, log line or label. */
function expectNoSecret(...texts: string[]): void {
  for (const text of texts) {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(WRONG);
    expect(text).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  }
}

describe('a registry that requires a login, with the right credentials', () => {
  test('the registry itself refuses anonymous requests', async () => {
    expect((await fetch(`http://${reg.address}/v2/_catalog`)).status).toBe(401);
    expect(await new RegistryClient(reg.address).ping()).toBe(false);
    expect(await admin.ping()).toBe(true);
  });

  test('push, list, pull for a run, and delete all work; no secret shows in answers, logs or labels', async () => {
    const pushedRes = await good.call('alice', 'POST', '/images/push', { image: tiny, repository: repo, tag });
    const pushed = await json(pushedRes);
    expect(pushedRes.status).toBe(201);
    expect(await admin.head(repo, tag)).toBe(pushed.digest);

    const listText = await (await good.call('alice', 'GET', '/images')).text();
    const entry = JSON.parse(listText).find((i: any) => i.repository === repo && i.tag === tag);
    expect(entry).toEqual(expect.objectContaining({ source: 'registry', digest: pushed.digest, ref: `${reg.address}/${repo}:${tag}` }));

    // Pull: a run naming the tag makes the engine pull it by digest with the credentials.
    const base = `${reg.address}/users/alice/base${id}`;
    const baseTag = `1.0.0-b${id}`;
    expect((await good.call('alice', 'POST', '/images/push', { image: TEST_IMAGE, repository: `users/alice/base${id}`, tag: baseTag })).status).toBe(201);
    await docker.getImage(`${base}:${baseTag}`).remove({ noprune: true });
    const runRes = await good.call('alice', 'POST', '/runs', {
      pipeline: { apiVersion: 'conveyor/v1', kind: 'Pipeline', name: 'auth', steps: [{ name: 'a', image: `${base}:${baseTag}`, command: ['true'] }] }
    });
    let run = await json(runRes);
    expect(runRes.status).toBe(201);
    const deadline = Date.now() + 90_000;
    while (!['succeeded', 'failed', 'cancelled'].includes(run.status) && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 200));
      run = await json(await good.call('alice', 'GET', `/runs/${run.id}`));
    }
    expect(run.status).toBe('succeeded');
    const local = await docker.getImage(`${base}:${baseTag}`).inspect();
    expect(local.RepoDigests.some(d => d.startsWith(`${base}@sha256:`))).toBe(true);
    expectNoSecret(JSON.stringify(local.Config.Labels ?? {}), JSON.stringify(run));

    const del = await good.call('alice', 'DELETE', `/images/${repo}/tags/${tag}`);
    expect(del.status).toBe(204);
    expect(await admin.head(repo, tag)).toBeNull();
    expectNoSecret(listText, JSON.stringify(pushed), good.logs.join(''));
    expect(good.logs.join('')).toContain('image pushed');
  }, 150_000);
});

describe('wrong or missing credentials', () => {
  for (const which of ['wrong', 'missing'] as const) {
    test(`${which} credentials: listing, pushing and deleting are a clear 502 registry_unauthorized, nothing is written`, async () => {
      const server = which === 'wrong' ? wrong : anonymous;
      const listed = await expectError(await server.call('alice', 'GET', '/images'), 502, 'registry_unauthorized');
      expect(listed.error.message).toMatch(/refused to authenticate Conveyor \(401/);
      const t = `0.2.0-b${uniq()}`;
      const pushed = await expectError(await server.call('alice', 'POST', '/images/push', { image: tiny, repository: repo, tag: t }), 502, 'registry_unauthorized');
      expect(pushed.error.message).toContain('CONVEYOR_REGISTRY_USERNAME');
      // Nothing half-written: not in the registry, no engine tag for it.
      expect(await admin.head(repo, t)).toBeNull();
      expect((await docker.listImages()).some(i => (i.RepoTags ?? []).includes(`${reg.address}/${repo}:${t}`))).toBe(false);
      await expectError(await server.call('alice', 'DELETE', `/images/${repo}/tags/${t}`), 502, 'registry_unauthorized');
      expectNoSecret(JSON.stringify([listed, pushed]), server.logs.join(''));
    });
  }

  test('the engine refuses a push with wrong credentials: 502 push_failed, no tag left behind', async () => {
    // The server's HEAD passes (right credentials), the engine's push carries wrong ones.
    const pusher = new ImagePusher({
      docker,
      catalog: new RegistryCatalog(admin),
      logger: pino({ level: 'silent' }),
      engineAuth: { username: USER, password: WRONG, serveraddress: reg.address }
    });
    const t = `0.3.0-b${uniq()}`;
    const err = await pusher.push({ name: 'alice', admin: false } as never, tiny, repo, t).catch(e => e);
    expect(err).toEqual(expect.objectContaining({ status: 502, code: 'push_failed' }));
    expectNoSecret(String(err.message), JSON.stringify(err.details ?? {}));
    expect(await admin.head(repo, t)).toBeNull();
    expect((await docker.listImages()).some(i => (i.RepoTags ?? []).includes(`${reg.address}/${repo}:${t}`))).toBe(false);
  }, 60_000);
});
