import WebSocket from 'ws';
import { ImageBuilds, type BuildDeps } from '../../src/registry/builds';
import { RegistryClient } from '../../src/registry/client';
import { tempDir, TEST_IMAGE } from '../helpers/env';
import { expectError } from '../helpers/expectError';
import { json, registryEnv, removeLocalTags, uniq, type RegistryEnv } from './helpers';

let env: RegistryEnv;
const data = tempDir('registry-data');
const id = uniq();
const baseRepo = `users/alice/base${id}`;
const baseTag = `0.1.0-b${id}`;
let baseRef: string;

beforeAll(async () => {
  env = await registryEnv({ dataDir: data.path });
  const res = await env.call('alice', 'POST', '/images/push', { image: TEST_IMAGE, repository: baseRepo, tag: baseTag });
  expect(res.status).toBe(201);
  baseRef = (await json(res)).ref;
}, 120_000);
afterAll(async () => {
  await removeLocalTags(env.registry, id);
  await env.close();
  data.cleanup();
});

describe('custom image builds', () => {
  test('a build adding one pip package streams its log, lands in users/<me>/ and lists the package', async () => {
    const events: any[] = [];
    const socket = new WebSocket(`${env.t.url.replace('http', 'ws')}/ws`, { headers: env.headers('alice') });
    socket.on('message', data => events.push(JSON.parse(String(data))));
    await new Promise(resolve => socket.once('open', resolve));
    try {
      const req = { base: baseRef, name: `six${id}`, version: '0.1.0', pip: ['six==1.16.0'] };
      const res = await env.call('alice', 'POST', '/images/builds', req);
      const started = await json(res);
      expect(res.status).toBe(202);
      expect(started.buildId).toMatch(/^bld-/);
      expect(started.repository).toBe(`users/alice/six${id}`);
      expect(started.tag).toMatch(/^0\.1\.0-b[0-9a-f]{12}$/);
      const deadline = Date.now() + 240_000;
      let build = started;
      while (!['succeeded', 'failed'].includes(build.status) && Date.now() < deadline) {
        await new Promise(r => setTimeout(r, 500));
        build = await json(await env.call('alice', 'GET', `/images/builds/${started.buildId}`));
      }
      const log = await json(await env.call('alice', 'GET', `/images/builds/${started.buildId}/log?from=0`));
      expect({ status: build.status, error: build.error }).toEqual({ status: 'succeeded', error: undefined });
      expect(log.lines.join('\n')).toMatch(/six/);
      expect(log.lines.at(-1)).toMatch(/built and pushed/);
      const tail = await json(await env.call('alice', 'GET', `/images/builds/${started.buildId}/log?from=${log.lines.length - 1}`));
      expect(tail.lines).toEqual([log.lines.at(-1)]);
      // Live: build events carried the same lines, in order, to the owner.
      await new Promise(r => setTimeout(r, 300));
      const streamed = events.filter(e => e.type === 'build' && e.buildId === started.buildId);
      expect(streamed.at(-1).status).toBe('succeeded');
      expect(streamed.flatMap(e => e.lines)).toEqual(log.lines);
      // In the registry, with its package lists.
      expect(await new RegistryClient(env.registry).head(started.repository, started.tag)).toBe(build.digest);
      const tag = await json(await env.call('alice', 'GET', `/images/${started.repository}/tags/${started.tag}`));
      expect(tag.packages.python).toContain('six==1.16.0');
      expect(tag.packages.debian.some((p: string) => p.startsWith('python3='))).toBe(true);
      const found = await json(await env.call('alice', 'GET', '/images?package=six%201.16'));
      expect(found.map((i: any) => i.ref)).toContain(started.ref);
      // The same request again is the same tag: refused, tags are immutable.
      await expectError(await env.call('alice', 'POST', '/images/builds', req), 409, 'tag_exists');
      // Another user cannot read the build, nor see it listed.
      await expectError(await env.call('bob', 'GET', `/images/builds/${started.buildId}`), 404, 'build_not_found');
      expect((await json(await env.call('alice', 'GET', '/images/builds'))).map((b: any) => b.id)).toContain(started.buildId);
      expect((await json(await env.call('bob', 'GET', '/images/builds'))).map((b: any) => b.id)).not.toContain(started.buildId);
      // Kept in the data dir: a new process reads the finished build and its log.
      const later = new ImageBuilds({ dataDir: data.path } as BuildDeps);
      const alice = { name: 'alice', admin: false, createdAt: '' };
      expect(later.get(alice, started.buildId)).toEqual(expect.objectContaining({ status: 'succeeded', digest: build.digest, lines: log.lines.length }));
      expect(later.log(alice, started.buildId, 0).lines).toEqual(log.lines);
    } finally {
      socket.close();
    }
  }, 300_000);

  test('bad requests are 4xx before anything is built', async () => {
    await expectError(await env.call('alice', 'POST', '/images/builds', { base: baseRef, name: 'Bad Name', version: '0.1.0' }), 400, 'invalid_request');
    await expectError(await env.call('alice', 'POST', '/images/builds', { base: baseRef, name: 'x', version: '0.1.0', pip: ['six; rm -rf /'] }), 400, 'invalid_request');
    await expectError(await env.call('alice', 'POST', '/images/builds', { base: `${env.registry}/${baseRepo}:latest`, name: 'x', version: '0.1.0' }), 400, 'invalid_tag');
    await expectError(await env.call('bob', 'POST', '/images/builds', { base: baseRef, name: 'x', version: '0.1.0' }), 404, 'image_not_found');
    await expectError(await env.call('alice', 'GET', '/images/builds/bld-nope/log?from=-1'), 400, 'invalid_request');
  });
});
