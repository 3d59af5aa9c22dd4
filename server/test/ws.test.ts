import WebSocket from 'ws';
import { validatorFor } from '../src/core/schemas';
import { TokenService } from '../src/tokens/service';
import { SECRET, startTestServer, type TestServer } from './helpers/server';

/** Opens a websocket and resolves with the refusal status or the first `count` messages. */
function connect(url: string, headers: Record<string, string>, count = 2): Promise<{ status?: number; messages: any[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const messages: any[] = [];
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode, messages });
      res.resume();
    });
    ws.on('message', data => {
      messages.push(JSON.parse(String(data)));
      if (messages.length === count) {
        ws.close();
        resolve({ messages });
      }
    });
    ws.on('error', err => reject(err));
  });
}

const validEvent = validatorFor('event.json');

describe('websocket in embedded mode', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ mode: 'embedded' });
  });
  afterAll(async () => t.close());

  const wsUrl = () => `ws://127.0.0.1:${t.port}/conveyor/api/v1/ws`;

  test('an upgrade without the secret is refused with 401 before upgrading', async () => {
    expect((await connect(wsUrl(), {})).status).toBe(401);
    expect((await connect(wsUrl(), { 'X-Conveyor-Secret': 'wrong', 'X-Conveyor-User': 'alice' })).status).toBe(401);
  });

  test('an upgrade on another path is refused with 404', async () => {
    expect((await connect(`ws://127.0.0.1:${t.port}/conveyor/api/v1/other`, { 'X-Conveyor-Secret': SECRET })).status).toBe(404);
  });

  test('with the secret the client receives hello, then status, both valid events', async () => {
    const { status, messages } = await connect(wsUrl(), { 'X-Conveyor-Secret': SECRET, 'X-Conveyor-User': 'alice' });
    expect(status).toBeUndefined();
    expect(messages.map(m => m.type)).toEqual(['hello', 'status']);
    expect(messages[0]).toMatchObject({ type: 'hello', user: 'alice' });
    expect(messages[1].status.user.name).toBe('alice');
    for (const message of messages) {
      expect(validEvent(message)).toBe(true);
    }
  });
});

describe('websocket in team mode', () => {
  let t: TestServer;
  let secret: string;
  beforeAll(async () => {
    t = await startTestServer({ mode: 'team', secret: undefined });
    await t.store.users.create('carol', false);
    secret = (await new TokenService(t.store).create('carol', { name: 'ws' })).secret;
  });
  afterAll(async () => t.close());

  test('an upgrade without a token is refused with 401; with one it gets hello then status', async () => {
    const url = `ws://127.0.0.1:${t.port}/conveyor/api/v1/ws`;
    expect((await connect(url, {})).status).toBe(401);
    expect((await connect(url, { Authorization: 'Bearer cvy_wrong' })).status).toBe(401);
    const { messages } = await connect(url, { Authorization: `Bearer ${secret}` });
    expect(messages.map(m => m.type)).toEqual(['hello', 'status']);
    expect(messages[0].user).toBe('carol');
  });
});
