import { validatorFor } from '../src/core/schemas';
import { expectError } from './helpers/expectError';
import { json, secretHeaders, startTestServer, type TestServer } from './helpers/server';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ mode: 'embedded' });
});
afterAll(async () => t.close());

const post = (path: string, body: string, headers: Record<string, string> = secretHeaders('alice')) =>
  fetch(`${t.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });

describe('embedded-mode authentication', () => {
  test('a request without the secret gets 401 unauthenticated', async () => {
    await expectError(await fetch(`${t.url}/health`), 401, 'unauthenticated');
  });

  test('a request with a wrong secret gets 401, also when the wrong secret has the right length', async () => {
    await expectError(await fetch(`${t.url}/health`, { headers: { 'X-Conveyor-Secret': 'nope' } }), 401, 'unauthenticated');
    const sameLength = 'x'.repeat(secretHeaders()['X-Conveyor-Secret'].length);
    await expectError(await fetch(`${t.url}/health`, { headers: { 'X-Conveyor-Secret': sameLength } }), 401, 'unauthenticated');
  });

  test('the valid secret answers health with ok', async () => {
    const res = await fetch(`${t.url}/health`, { headers: secretHeaders() });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ ok: true });
  });

  test('X-Conveyor-User alone, without the secret, is rejected', async () => {
    await expectError(await fetch(`${t.url}/status`, { headers: { 'X-Conveyor-User': 'admin' } }), 401, 'unauthenticated');
  });

  test('the user header names the caller when the secret is valid', async () => {
    const status = await json(await fetch(`${t.url}/status`, { headers: secretHeaders('alice') }));
    expect(status.user).toEqual({ name: 'alice', admin: true });
  });

  test('a user name outside the allowed pattern is a 400, not a new user', async () => {
    const body = await expectError(
      await fetch(`${t.url}/status`, { headers: secretHeaders('../etc passwd') }),
      400,
      'invalid_user'
    );
    expect(body.error.details.pattern).toBeDefined();
    expect(await t.store.users.get('../etc passwd')).toBeUndefined();
  });
});

describe('request validation and errors', () => {
  test('malformed JSON is a 400 invalid_json', async () => {
    await expectError(await post('/tokens', '{"name": '), 400, 'invalid_json');
  });

  test('a field of the wrong type is a 400 invalid_request naming the field', async () => {
    const body = await expectError(await post('/tokens', JSON.stringify({ name: 42 })), 400, 'invalid_request');
    expect(body.error.details.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/name' })]));
  });

  test('an extra field is a 400 invalid_request naming the field', async () => {
    const body = await expectError(await post('/tokens', JSON.stringify({ name: 'ok', admin: true })), 400, 'invalid_request');
    expect(body.error.details.errors).toEqual([{ path: '/admin', message: 'is not allowed' }]);
  });

  test('an out-of-range value is a 400', async () => {
    await expectError(await post('/tokens', JSON.stringify({ name: 'ok', expiresInDays: 9999 })), 400, 'invalid_request');
  });

  test('a missing body is a 400, not a 500', async () => {
    const res = await fetch(`${t.url}/tokens`, { method: 'POST', headers: secretHeaders('alice') });
    await expectError(res, 400, 'invalid_request');
  });

  test('a body over the limit is a 413 too_large', async () => {
    const huge = JSON.stringify({ name: 'x', pad: 'y'.repeat(2 * 1024 * 1024) });
    await expectError(await post('/tokens', huge), 413, 'too_large');
  });

  test('unknown routes are a 404 not_found, inside and outside the API', async () => {
    await expectError(await fetch(`${t.url}/nothing-here`, { headers: secretHeaders() }), 404, 'not_found');
    await expectError(await fetch(`http://127.0.0.1:${t.port}/elsewhere`), 404, 'not_found');
  });

  test('every response carries a request id', async () => {
    const res = await fetch(`${t.url}/health`, { headers: { ...secretHeaders(), 'X-Request-Id': 'req-123' } });
    expect(res.headers.get('x-request-id')).toBe('req-123');
  });
});

describe('tokens in embedded mode', () => {
  test('the caller creates, lists and deletes their own token', async () => {
    const res = await post('/tokens', JSON.stringify({ name: 'laptop', expiresInDays: 30 }));
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(validatorFor('token-created.json')(created)).toBe(true);
    expect(created.secret).toMatch(/^cvy_/);
    const list = await json(await fetch(`${t.url}/tokens`, { headers: secretHeaders('alice') }));
    expect(list.map((x: { id: string }) => x.id)).toContain(created.token.id);
    expect(JSON.stringify(list)).not.toContain(created.secret);
    const del = await fetch(`${t.url}/tokens/${created.token.id}`, { method: 'DELETE', headers: secretHeaders('alice') });
    expect(del.status).toBe(204);
    expect(await json(await fetch(`${t.url}/tokens`, { headers: secretHeaders('alice') }))).toEqual([]);
  });
});

describe('OpenAPI document', () => {
  test('is OpenAPI 3.1 with every route and the schemas of schema/api', async () => {
    const doc = await json(await fetch(`${t.url}/openapi.json`, { headers: secretHeaders() }));
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/alerts',
      '/budgets',
      '/components',
      '/components/import/kfp',
      '/components/users/{owner}/{name}/shares',
      '/components/{name}',
      '/components/{name}/{version}',
      '/datasets',
      '/datasets/approvals',
      '/datasets/approvals/{id}',
      '/datasets/versions',
      '/datasets/versions/from-run',
      '/datasets/{owner}/{name}',
      '/datasets/{owner}/{name}/diff',
      '/datasets/{owner}/{name}/lineage',
      '/datasets/{owner}/{name}/shares',
      '/datasets/{owner}/{name}/tags/{tag}',
      '/datasets/{owner}/{name}/versions/{ref}',
      '/datasets/{owner}/{name}/versions/{ref}/blinded',
      '/datasets/{owner}/{name}/versions/{ref}/files',
      '/datasets/{owner}/{name}/versions/{ref}/files/{path}',
      '/datasets/{owner}/{name}/versions/{ref}/lineage',
      '/datasets/{owner}/{name}/versions/{ref}/preview',
      '/experiments',
      '/experiments/diff',
      '/experiments/runs/{runId}',
      '/experiments/runs/{runId}/candidate',
      '/experiments/runs/{runId}/metrics/{key}',
      '/experiments/search',
      '/experiments/values',
      '/experiments/{id}/shares',
      '/git/branches',
      '/git/checkout',
      '/git/commit',
      '/git/diff',
      '/git/discard',
      '/git/fetch',
      '/git/init',
      '/git/log',
      '/git/merge',
      '/git/pull',
      '/git/push',
      '/git/remotes',
      '/git/repo',
      '/git/restore',
      '/git/settings',
      '/git/show',
      '/git/stage',
      '/git/status',
      '/git/unstage',
      '/health',
      '/images',
      '/images/builds',
      '/images/builds/{id}',
      '/images/builds/{id}/log',
      '/images/default',
      '/images/push',
      '/images/{repo}/tags/{tag}',
      '/models',
      '/models/{name}',
      '/models/{name}/shares',
      '/notebooks/parameters',
      '/openapi.json',
      '/pipeline-templates',
      '/pipeline-templates/{id}/instantiate',
      '/pipelines/import-elyra',
      '/pipelines/validate',
      '/profiles',
      '/quotas',
      '/resources',
      '/runs',
      '/runs/diff',
      '/runs/{id}',
      '/runs/{id}/cancel',
      '/runs/{id}/datasets',
      '/runs/{id}/rerun',
      '/runs/{id}/resume',
      '/runs/{id}/steps/{step}/cancel',
      '/runs/{id}/steps/{step}/logs',
      '/runs/{id}/steps/{step}/notebook',
      '/runs/{id}/steps/{step}/outputs/{name}',
      '/shares',
      '/shares/redeem',
      '/shares/{id}',
      '/status',
      '/tokens',
      '/tokens/{id}',
      '/usage',
      '/workspaces',
      '/workspaces/{id}',
      '/workspaces/{id}/restart',
      '/workspaces/{id}/start',
      '/workspaces/{id}/stop'
    ]);
    expect(doc.paths['/runs'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/RunSubmit' });
    expect(doc.paths['/tokens'].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ApiTokenCreate'
    });
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['ApiError', 'ServerStatus', 'ApiToken', 'ApiTokenCreate', 'ApiTokenCreated', 'ServerEvent'])
    );
    expect(JSON.stringify(doc)).not.toMatch(/"\$ref":"[^#]/);
  });
});
