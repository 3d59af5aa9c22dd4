import { nullTranslator } from '@jupyterlab/translation';

import type { ShareLink, ShareRedeemed } from '../../../schema/generated/api';
import { CommandIDs } from '../../core/commands';
import { shareOffered, ShareLinksModel, shareUrl } from '../model';
import { redeemFailure, shareCodeFrom, targetAction, withoutShareCode } from '../redeem';

const trans = nullTranslator.load('jupyterlab_conveyor');
const BASE = 'http://localhost:8888/user/ada/';

function link(id: string, patch: Partial<ShareLink> = {}): ShareLink {
  return {
    id,
    kind: 'workspace',
    target: { id: 'aaaaaaaaaaaa' },
    scope: 'view',
    status: 'active',
    createdAt: '2026-01-01T00:00:00Z',
    expiresAt: '2026-01-08T00:00:00Z',
    revokedAt: null,
    uses: 0,
    users: [],
    ...patch
  };
}

function fakeAPI(handlers: Record<string, (body: unknown) => unknown>) {
  const calls: { method: string; path: string; body?: unknown }[] = [];
  const requestAPI = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const method = init.method ?? 'GET';
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, path, body });
    const handler = handlers[`${method} ${path.split('?')[0]}`];
    if (!handler) {
      throw new Error(`unexpected ${method} ${path}`);
    }
    return handler(body) as T;
  };
  return { calls, requestAPI };
}

/** An error as requestAPI throws it for `{error: {code, message}}` answers. */
function apiError(status: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { code, response: { status } });
}

describe('ShareLinksModel', () => {
  it('lists the links of its target only, with uses and users', async () => {
    const api = fakeAPI({
      'GET shares': () => ({
        links: [link('l1', { uses: 3, users: [{ user: 'bob', firstUsedAt: '', lastUsedAt: '', uses: 3 }] })]
      })
    });
    const model = new ShareLinksModel({ requestAPI: api.requestAPI, kind: 'workspace', target: { id: 'aaaaaaaaaaaa' }, baseUrl: BASE });
    await model.load();
    const query = new URLSearchParams(api.calls[0].path.split('?')[1]);
    expect(query.get('kind')).toBe('workspace');
    expect(JSON.parse(query.get('target')!)).toEqual({ id: 'aaaaaaaaaaaa' });
    expect(model.links[0].users.map(u => u.user)).toEqual(['bob']);
    expect(model.error).toBeNull();
  });

  it('creates a link with the chosen scope and expiry and shows its full URL once', async () => {
    const api = fakeAPI({
      'GET shares': () => ({ links: [link('old')] }),
      'POST shares': () => ({ id: 'l2', code: 'sc_abc-_1', url: 'lab?conveyor-share=sc_abc-_1', link: link('l2', { scope: 'collaborate' }) })
    });
    const model = new ShareLinksModel({ requestAPI: api.requestAPI, kind: 'workspace', target: { id: 'aaaaaaaaaaaa' }, baseUrl: BASE });
    await model.load();
    let changes = 0;
    model.changed.connect(() => changes++);
    model.scope = 'collaborate';
    model.expiresInSeconds = 3600;
    expect(changes).toBe(2);
    const url = await model.create();
    expect(url).toBe('http://localhost:8888/user/ada/lab?conveyor-share=sc_abc-_1');
    expect(api.calls[1].body).toEqual({ kind: 'workspace', target: { id: 'aaaaaaaaaaaa' }, scope: 'collaborate', expiresInSeconds: 3600 });
    expect(model.created?.url).toBe(url);
    expect(model.links.map(l => l.id)).toEqual(['l2', 'old']);
  });

  it('shares anything but a workspace read-only, and refuses an expiry past 30 days', async () => {
    const api = fakeAPI({
      'POST shares': () => ({ id: 'l3', code: 'c', url: '', link: link('l3', { kind: 'run', target: { id: 'r1' } }) })
    });
    const model = new ShareLinksModel({ requestAPI: api.requestAPI, kind: 'run', target: { id: 'r1' }, baseUrl: BASE });
    model.scope = 'collaborate';
    model.expiresInSeconds = 31 * 86400;
    await expect(model.create()).rejects.toThrow('30 days');
    expect(api.calls).toHaveLength(0);
    model.expiresInSeconds = 86400;
    await model.create();
    expect((api.calls[0].body as { scope: string }).scope).toBe('view');
  });

  it('shares a workspace layout by name, lists every link of the workspace, and refuses a bad name', async () => {
    const api = fakeAPI({
      'GET shares': () => ({ links: [] }),
      'POST shares': () => ({ id: 'l4', code: 'c', url: '', link: link('l4', { target: { id: 'aaaaaaaaaaaa', layout: 'paper' } }) })
    });
    const model = new ShareLinksModel({ requestAPI: api.requestAPI, kind: 'workspace', target: { id: 'aaaaaaaaaaaa' }, baseUrl: BASE });
    model.layout = 'bad name/';
    expect(model.layoutError).toContain('layout name');
    await expect(model.create()).rejects.toThrow('layout name');
    expect(api.calls).toHaveLength(0);
    model.layout = ' paper ';
    expect(model.layoutError).toBe('');
    await model.create();
    expect(api.calls[0].body).toEqual({ kind: 'workspace', target: { id: 'aaaaaaaaaaaa', layout: 'paper' }, scope: 'view', expiresInSeconds: 7 * 86400 });
    // The list is of the workspace (every layout), not of one layout.
    await model.load();
    expect(JSON.parse(new URLSearchParams(api.calls[1].path.split('?')[1]).get('target')!)).toEqual({ id: 'aaaaaaaaaaaa' });
    // Other kinds have no layout.
    const run = new ShareLinksModel({ requestAPI: api.requestAPI, kind: 'run', target: { id: 'r1' }, baseUrl: BASE });
    run.layout = 'paper';
    await run.create();
    expect((api.calls[2].body as { target: unknown }).target).toEqual({ id: 'r1' });
  });

  it('revokes a link: it stays listed as revoked and its one-time URL is gone', async () => {
    const api = fakeAPI({
      'POST shares': () => ({ id: 'l1', code: 'c', url: '', link: link('l1') }),
      'DELETE shares/l1': () => link('l1', { status: 'revoked', revokedAt: '2026-01-02T00:00:00Z' })
    });
    const model = new ShareLinksModel({ requestAPI: api.requestAPI, kind: 'workspace', target: { id: 'aaaaaaaaaaaa' }, baseUrl: BASE });
    await model.create();
    await model.revoke('l1');
    expect(model.links[0].status).toBe('revoked');
    expect(model.created).toBeNull();
  });

  it('shows the server message when the links cannot be listed', async () => {
    const api = fakeAPI({});
    const model = new ShareLinksModel({ requestAPI: api.requestAPI, kind: 'run', target: { id: 'r1' }, baseUrl: BASE });
    await model.load();
    expect(model.error).toBe('unexpected GET shares?kind=run&target=%7B%22id%22%3A%22r1%22%7D');
    expect(model.loading).toBe(false);
  });
});

describe('who is offered "Share…"', () => {
  it('offers it to the owner of what a view shows only, and never before the user is known', () => {
    expect(shareOffered({ owner: 'ada' }, 'ada')).toBe(true);
    expect(shareOffered({ owner: 'ada' }, 'bob')).toBe(false);
    expect(shareOffered({ owner: 'ada' }, null)).toBe(false);
    // A comparison of experiments with different owners (or the Default experiment) passes ''.
    expect(shareOffered({ owner: '' }, '')).toBe(false);
    expect(shareOffered({}, 'bob')).toBe(true);
  });
});

describe('link redemption', () => {
  it('reads the code from the page address and drops only that parameter', () => {
    const href = `${BASE}lab/tree/x.ipynb?reset&conveyor-share=sc_abc-_1`;
    expect(shareCodeFrom(href)).toBe('sc_abc-_1');
    expect(shareCodeFrom(`${BASE}lab?conveyor-share=`)).toBeNull();
    expect(shareCodeFrom(`${BASE}lab`)).toBeNull();
    expect(withoutShareCode(href)).toBe(`${BASE}lab/tree/x.ipynb?reset`);
    expect(withoutShareCode(`${BASE}lab?conveyor-share=c#h`)).toBe(`${BASE}lab#h`);
    expect(shareCodeFrom(shareUrl(BASE, 'sc_a b'))).toBe('sc_a b');
  });

  it('explains expired, revoked and unknown links, and others by the server message', () => {
    expect(redeemFailure(apiError(410, 'share_expired', 'x'), trans)).toContain('expired');
    expect(redeemFailure(apiError(410, 'share_revoked', 'x'), trans)).toContain('revoked');
    expect(redeemFailure(apiError(404, 'share_code_invalid', 'x'), trans)).toContain('not valid');
    expect(redeemFailure(apiError(404, 'not_found', 'x'), trans)).toContain('not valid');
    expect(redeemFailure(apiError(429, 'share_redeem_throttled', 'x'), trans)).toContain('try again');
    expect(redeemFailure(apiError(401, 'unauthenticated', 'x'), trans)).toContain('Sign in');
    expect(redeemFailure(new Error('socket hang up'), trans)).toBe('Could not open the share link: socket hang up');
  });

  it('opens a workspace in a tab and a run, comparison or dataset version through their commands', () => {
    const redeemed = (kind: ShareRedeemed['kind'], target: ShareRedeemed['target']): ShareRedeemed => ({
      linkId: 'l1',
      owner: 'ada',
      kind,
      target,
      scope: 'view',
      expiresAt: '2026-01-08T00:00:00Z'
    });
    // A workspace opens at its entry: the server sends the recipient to their own copy of the layout.
    expect(targetAction(redeemed('workspace', { id: 'aaaaaaaaaaaa', layout: 'paper' }), BASE)).toEqual({
      type: 'tab',
      url: `${BASE}conveyor/workspaces/aaaaaaaaaaaa/?layout=paper`
    });
    expect(targetAction(redeemed('workspace', { id: 'aaaaaaaaaaaa' }), BASE)).toEqual({
      type: 'tab',
      url: `${BASE}conveyor/workspaces/aaaaaaaaaaaa/`
    });
    expect(targetAction(redeemed('workspace', {}), BASE)).toEqual({ type: 'none' });
    expect(targetAction(redeemed('run', { id: 'r1' }), BASE)).toEqual({
      type: 'command',
      id: CommandIDs.openRun,
      args: { id: 'r1' }
    });
    expect(targetAction(redeemed('comparison', { experiments: [1, 2] }), BASE)).toEqual({
      type: 'command',
      id: CommandIDs.openExperiments,
      args: { experimentIds: ['1', '2'] }
    });
    expect(targetAction(redeemed('dataset', { dataset: 'ada/churn', version: 'v123' }), BASE)).toEqual({
      type: 'command',
      id: CommandIDs.openDatasetVersion,
      args: { owner: 'ada', name: 'churn', ref: 'v123' }
    });
    expect(targetAction(redeemed('dataset', { dataset: 'churn' }), BASE)).toEqual({ type: 'none' });
  });
});
