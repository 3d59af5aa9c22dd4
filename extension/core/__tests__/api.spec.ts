import { ServerConnection } from '@jupyterlab/services';

import { ConveyorAPIError, requestAPI } from '../api';

type Answer = { status: number; body: string; statusText?: string };

function settingsAnswering(answer: Answer | Error) {
  const seen: Request[] = [];
  const fetch = async (input: RequestInfo | URL) => {
    seen.push(input as Request);
    if (answer instanceof Error) {
      throw answer;
    }
    return new Response(answer.body || null, {
      status: answer.status,
      statusText: answer.statusText ?? '',
      headers: { 'Content-Type': 'application/json' }
    });
  };
  const settings = ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/lab-base/',
    wsUrl: 'ws://localhost:8888/lab-base/',
    token: 'secret-token',
    fetch
  });
  return { settings, seen };
}

/** The rejection of a call that must fail. */
async function failure(call: Promise<unknown>): Promise<any> {
  return call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error
  );
}

describe('requestAPI', () => {
  it('calls <base_url>/conveyor/api/v1/<path> with the Jupyter token and returns the JSON', async () => {
    const { settings, seen } = settingsAnswering({ status: 200, body: '{"ok":true}' });
    const data = await requestAPI<{ ok: boolean }>('health', {}, settings);
    expect(data).toEqual({ ok: true });
    // makeRequest may add a cache-busting query string; the path is what matters.
    expect(seen[0].url.split('?')[0]).toBe('http://localhost:8888/lab-base/conveyor/api/v1/health');
    expect(seen[0].headers.get('Authorization')).toBe('token secret-token');
  });

  it('returns undefined for an empty answer (204)', async () => {
    const { settings } = settingsAnswering({ status: 204, body: '' });
    await expect(requestAPI('tokens/abc', { method: 'DELETE' }, settings)).resolves.toBeUndefined();
  });

  it("turns an {error} answer into a ResponseError with the server's message and code", async () => {
    const body = JSON.stringify({
      error: { code: 'conflict', message: 'A token named "ci" already exists', details: { field: 'name' } }
    });
    const { settings } = settingsAnswering({ status: 409, body, statusText: 'Conflict' });
    const error = await failure(requestAPI('tokens', { method: 'POST' }, settings));
    expect(error).toBeInstanceOf(ServerConnection.ResponseError);
    expect(error).toBeInstanceOf(ConveyorAPIError);
    expect(error.message).toBe('A token named "ci" already exists');
    expect(error.code).toBe('conflict');
    expect(error.details).toEqual({ field: 'name' });
    expect(error.response.status).toBe(409);
  });

  it("shows Jupyter's own {message} errors (e.g. the proxy answering 503)", async () => {
    const body = JSON.stringify({ message: 'The Conveyor companion is not running', reason: null });
    const { settings } = settingsAnswering({ status: 503, body, statusText: 'Service Unavailable' });
    const error = await failure(requestAPI('status', {}, settings));
    expect(error).toBeInstanceOf(ServerConnection.ResponseError);
    expect(error.message).toBe('The Conveyor companion is not running');
  });

  it('shows the HTTP status instead of the markup of an HTML error page', async () => {
    const { settings } = settingsAnswering({
      status: 502,
      body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
      statusText: 'Bad Gateway'
    });
    const error = await failure(requestAPI('status', {}, settings));
    expect(error).toBeInstanceOf(ServerConnection.ResponseError);
    expect(error.message).toBe('502 Bad Gateway');
  });

  it('turns an unreachable server into a NetworkError', async () => {
    const { settings } = settingsAnswering(new TypeError('Failed to fetch'));
    const error = await failure(requestAPI('status', {}, settings));
    expect(error).toBeInstanceOf(ServerConnection.NetworkError);
    expect(error.message).toBe('Failed to fetch');
  });
});
