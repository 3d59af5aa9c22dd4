import { RegistryClient } from '../../src/registry/client';
import { expectError } from '../helpers/expectError';
import { TEST_IMAGE } from '../helpers/env';
import { docker, json, registryEnv, removeLocalTags, tinyImage, uniq, type RegistryEnv } from './helpers';

let env: RegistryEnv;
let client: RegistryClient;
let tiny: string;
const id = uniq();
const aliceRepo = `users/alice/x${id}`;
const tag = `0.1.0-b123abc${id.slice(0, 4)}`;

beforeAll(async () => {
  env = await registryEnv();
  client = new RegistryClient(env.registry);
  tiny = await tinyImage({ 'io.conveyor.packages.python': 'xgboost==2.0.3,six==1.16.0', 'io.conveyor.packages.debian': 'libc6=2.36-9' });
}, 60_000);
afterAll(async () => {
  await env.close();
  await removeLocalTags(env.registry, id);
  await docker.getImage(tiny).remove({ force: true }).catch(() => undefined);
});

describe('pushing to the registry', () => {
  test('a pushed tag is listed with its size, created time, build id and digest', async () => {
    const res = await env.call('alice', 'POST', '/images/push', { image: tiny, repository: aliceRepo, tag });
    expect(res.status).toBe(201);
    const pushed = await json(res);
    expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The registry itself has the tag under that digest.
    expect(await client.head(aliceRepo, tag)).toBe(pushed.digest);
    const list = await json(await env.call('alice', 'GET', '/images'));
    const entry = list.find((i: any) => i.repository === aliceRepo && i.tag === tag);
    expect(entry).toEqual(
      expect.objectContaining({
        source: 'registry',
        ref: `${env.registry}/${aliceRepo}:${tag}`,
        tags: [`${env.registry}/${aliceRepo}:${tag}`],
        digest: pushed.digest,
        buildId: `123abc${id.slice(0, 4)}`,
        version: '0.1.0',
        owner: 'alice'
      })
    );
    expect(entry.sizeBytes).toBeGreaterThan(0);
    expect(Date.parse(entry.created)).toBeGreaterThan(Date.now() - 3600_000);
    // Local engine images stay listed for the submit dialog.
    expect(list.some((i: any) => i.source === 'engine' && i.tags.includes(TEST_IMAGE))).toBe(true);
    const one = await json(await env.call('alice', 'GET', `/images/${aliceRepo}/tags/${tag}`));
    expect(one.packages.python).toEqual(['xgboost==2.0.3', 'six==1.16.0']);
    expect(one.packages.debian).toEqual(['libc6=2.36-9']);
  });

  test('pushing an existing tag again is 409 tag_exists and leaves the tag unchanged', async () => {
    const before = await client.head(aliceRepo, tag);
    const other = await tinyImage();
    try {
      const body = await expectError(await env.call('alice', 'POST', '/images/push', { image: other, repository: aliceRepo, tag }), 409, 'tag_exists');
      expect(body.error.details).toEqual({ repository: aliceRepo, tag });
      expect(await client.head(aliceRepo, tag)).toBe(before);
    } finally {
      await docker.getImage(other).remove({ force: true }).catch(() => undefined);
    }
  });

  test('latest and malformed tags are 400 invalid_tag; repositories outside shared/ and users/ are 400', async () => {
    await expectError(await env.call('alice', 'POST', '/images/push', { image: tiny, repository: aliceRepo, tag: 'latest' }), 400, 'invalid_tag');
    await expectError(await env.call('alice', 'POST', '/images/push', { image: tiny, repository: aliceRepo, tag: '1.0' }), 400, 'invalid_tag');
    await expectError(await env.call('alice', 'POST', '/images/push', { image: tiny, repository: 'library/x', tag }), 400, 'invalid_repository');
    await expectError(await env.call('alice', 'POST', '/images/push', { image: tiny, repository: 'users/alice/X', tag }), 400, 'invalid_repository');
    await expectError(await env.call('alice', 'POST', '/images/push', { image: tiny, repository: aliceRepo }), 400, 'invalid_request');
    expect(await client.head(aliceRepo, 'latest')).toBeNull();
  });

  test("alice may not push into bob's namespace or shared/; an admin may push to shared/", async () => {
    const t2 = `0.1.0-b${uniq()}`;
    await expectError(await env.call('alice', 'POST', '/images/push', { image: tiny, repository: `users/bob/x${id}`, tag: t2 }), 403, 'forbidden');
    await expectError(await env.call('alice', 'POST', '/images/push', { image: tiny, repository: `shared/x${id}`, tag: t2 }), 403, 'forbidden');
    expect(await client.head(`users/bob/x${id}`, t2)).toBeNull();
    expect(await client.head(`shared/x${id}`, t2)).toBeNull();
    const res = await env.call('root', 'POST', '/images/push', { image: tiny, repository: `shared/x${id}`, tag: t2 });
    expect(res.status).toBe(201);
    expect(await client.head(`shared/x${id}`, t2)).toMatch(/^sha256:/);
    // shared/ is visible to everyone; alice's own repository only to her (and admins).
    const bobList = await json(await env.call('bob', 'GET', '/images'));
    expect(bobList.some((i: any) => i.repository === `shared/x${id}`)).toBe(true);
    expect(bobList.some((i: any) => i.repository === aliceRepo)).toBe(false);
    await expectError(await env.call('bob', 'GET', `/images/${aliceRepo}/tags/${tag}`), 404, 'image_not_found');
    const rootList = await json(await env.call('root', 'GET', '/images'));
    expect(rootList.some((i: any) => i.repository === aliceRepo)).toBe(true);
  });

  test('pushing an image the engine does not have is 404 unknown_image', async () => {
    await expectError(
      await env.call('alice', 'POST', '/images/push', { image: 'conveyor-test/absent:nope', repository: aliceRepo, tag: `0.1.0-b${uniq()}` }),
      404,
      'unknown_image'
    );
  });
});

describe('searching by package', () => {
  test('package=xgboost==2 and "xgboost 2" find the image whose label lists xgboost 2.0.3; xgboost 3 finds none', async () => {
    for (const q of ['xgboost==2', 'xgboost 2', 'XGBoost']) {
      const found = await json(await env.call('alice', 'GET', `/images?package=${encodeURIComponent(q)}`));
      const entry = found.find((i: any) => i.repository === aliceRepo);
      expect(entry?.matches).toEqual(['xgboost==2.0.3']);
      expect(found.every((i: any) => i.matches.length > 0)).toBe(true);
    }
    const none = await json(await env.call('alice', 'GET', '/images?package=xgboost%3D%3D3'));
    expect(none.some((i: any) => i.repository === aliceRepo)).toBe(false);
    const twenty = await json(await env.call('alice', 'GET', '/images?package=xgboost%3D%3D2.0.30'));
    expect(twenty.some((i: any) => i.repository === aliceRepo)).toBe(false);
    await expectError(await env.call('alice', 'GET', '/images?package=%3D%3D%3D'), 400, 'invalid_request');
  });
});

describe('deleting tags', () => {
  test("alice deletes her own tag; bob cannot see hers (404); only admins delete shared/ tags", async () => {
    const t3 = `0.2.0-b${uniq()}`;
    expect((await env.call('alice', 'POST', '/images/push', { image: tiny, repository: aliceRepo, tag: t3 })).status).toBe(201);
    await expectError(await env.call('bob', 'DELETE', `/images/${aliceRepo}/tags/${t3}`), 404, 'image_not_found');
    const sharedTag = `0.3.0-b${uniq()}`;
    expect((await env.call('root', 'POST', '/images/push', { image: tiny, repository: `shared/x${id}`, tag: sharedTag })).status).toBe(201);
    await expectError(await env.call('alice', 'DELETE', `/images/shared/x${id}/tags/${sharedTag}`), 403, 'forbidden');
    expect(await client.head(`shared/x${id}`, sharedTag)).toMatch(/^sha256:/);
    // t3 and tag share one manifest: deleting t3 must leave tag in place.
    expect((await env.call('alice', 'DELETE', `/images/${aliceRepo}/tags/${t3}`)).status).toBe(204);
    expect(await client.head(aliceRepo, t3)).toBeNull();
    expect(await client.head(aliceRepo, tag)).toMatch(/^sha256:/);
    await expectError(await env.call('alice', 'DELETE', `/images/${aliceRepo}/tags/${t3}`), 404, 'image_not_found');
    expect((await env.call('root', 'DELETE', `/images/shared/x${id}/tags/${sharedTag}`)).status).toBe(204);
  });
});

describe('default image', () => {
  test("each user's default is their own and marks the listed image; latest is refused", async () => {
    const ref = `${env.registry}/${aliceRepo}:${tag}`;
    expect(await json(await env.call('alice', 'PUT', '/images/default', { ref }))).toEqual({ ref });
    expect(await json(await env.call('alice', 'GET', '/images/default'))).toEqual({ ref });
    expect((await json(await env.call('bob', 'GET', '/images/default'))).ref).not.toBe(ref);
    const list = await json(await env.call('alice', 'GET', '/images'));
    expect(list.filter((i: any) => i.default).map((i: any) => i.ref)).toEqual([ref]);
    await expectError(await env.call('alice', 'PUT', '/images/default', { ref: 'x/y:latest' }), 400, 'invalid_tag');
  });
});

describe('the OCI client', () => {
  test('follows the catalog\'s Link pagination page by page and lists every tag', async () => {
    const repo = `users/alice/pages${id}`;
    // One push, then more tags of the same manifest by manifest PUT.
    expect((await env.call('alice', 'POST', '/images/push', { image: tiny, repository: repo, tag })).status).toBe(201);
    const m = await client.manifest(repo, tag);
    const more = ['0.0.1-b000001', '0.0.2-b000002', '0.0.3-b000003', '0.0.4-b000004'];
    for (const t of more) await client.putManifest(repo, t, m!.raw, m!.mediaType);
    // distribution 2.8 answers every tag at once; 3.x pages them with Link as the catalog does.
    expect((await client.tags(repo, 2)).sort()).toEqual([...more, tag].sort());
    const firstPage = await fetch(`http://${env.registry}/v2/_catalog?n=1`);
    expect(((await firstPage.json()) as { repositories: string[] }).repositories).toHaveLength(1);
    expect(firstPage.headers.get('link')).toMatch(/rel="next"/);
    const all = await client.catalog();
    expect(all.length).toBeGreaterThan(1);
    expect(await client.catalog(1)).toEqual(all);
    expect(all).toContain(repo);
    expect(await client.tags(`users/alice/absent${id}`)).toEqual([]);
    // ?q= filters by repository and tag text.
    const q = await json(await env.call('alice', 'GET', `/images?q=pages${id}`));
    expect(q.map((i: any) => i.tag).sort()).toEqual([...more, tag].sort());
  });
});
