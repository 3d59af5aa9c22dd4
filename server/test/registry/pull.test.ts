import { tempDir, TEST_IMAGE } from '../helpers/env';
import { expectError } from '../helpers/expectError';
import { docker, json, registryEnv, removeLocalTags, uniq, type RegistryEnv } from './helpers';

let env: RegistryEnv;
const ws = tempDir('registry-ws');
const id = uniq();
const repo = `users/alice/run${id}`;
const tag = `1.0.0-b${id}`;
let pushed: any;

beforeAll(async () => {
  env = await registryEnv({ workspaceDir: ws.path });
  const res = await env.call('alice', 'POST', '/images/push', { image: TEST_IMAGE, repository: repo, tag });
  pushed = await json(res);
  expect(res.status).toBe(201);
  // Forget the local tag the push made: the run must get the image from the registry.
  await docker.getImage(pushed.ref).remove({ noprune: true });
}, 120_000);
afterAll(async () => {
  await removeLocalTags(env.registry, id);
  await env.close();
  ws.cleanup();
});

const submit = (image: string) =>
  env.call('alice', 'POST', '/runs', {
    pipeline: { apiVersion: 'conveyor/v1', kind: 'Pipeline', name: 'reg', steps: [{ name: 'a', image, command: ['true'] }] }
  });

describe('runs on registry images', () => {
  test('a run naming a registry tag pulls it by digest and records the image digest', async () => {
    const res = await submit(pushed.ref);
    const run = await json(res);
    expect(res.status).toBe(201);
    const deadline = Date.now() + 90_000;
    let done = run;
    while (!['succeeded', 'failed', 'cancelled'].includes(done.status) && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 200));
      done = await json(await env.call('alice', 'GET', `/runs/${run.id}`));
    }
    expect(done.status).toBe('succeeded');
    expect(done.steps[0].imageDigest).toBe(pushed.imageId);
    const local = await docker.getImage(pushed.ref).inspect();
    expect(local.Id).toBe(pushed.imageId);
    expect(local.RepoDigests).toContain(`${env.registry}/${repo}@${pushed.digest}`);
  }, 120_000);

  test('latest or an untagged registry image is refused; an absent tag is 400 unknown_image', async () => {
    await expectError(await submit(`${env.registry}/${repo}:latest`), 400, 'invalid_tag');
    await expectError(await submit(`${env.registry}/${repo}`), 400, 'invalid_tag');
    await expectError(await submit(`${env.registry}/${repo}:9.9.9-b${uniq()}`), 400, 'unknown_image');
  });
});
