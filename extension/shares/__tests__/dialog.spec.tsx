import { nullTranslator } from '@jupyterlab/translation';
import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import type { ShareLink } from '../../../schema/generated/api';
import { ShareView } from '../dialog';
import { ShareLinksModel } from '../model';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const trans = nullTranslator.load('jupyterlab_conveyor');

const used: ShareLink = {
  id: 'l1',
  kind: 'workspace',
  target: { id: 'aaaaaaaaaaaa' },
  scope: 'view',
  status: 'active',
  createdAt: '2026-01-01T00:00:00Z',
  expiresAt: '2026-01-08T00:00:00Z',
  revokedAt: null,
  uses: 2,
  users: [{ user: 'bob', firstUsedAt: '2026-01-01T01:00:00Z', lastUsedAt: '2026-01-02T01:00:00Z', uses: 2 }]
};

let container: HTMLElement;
let root: Root;
let model: ShareLinksModel;
let posted: unknown[];
let copied: string[];

async function render(confirm = true): Promise<void> {
  await act(async () => {
    root.render(
      <ShareView model={model} trans={trans} onCopy={t => copied.push(t)} confirmRevoke={async () => confirm} />
    );
  });
}

const q = (testid: string) => container.querySelector(`[data-testid="${testid}"]`) as HTMLElement | null;

beforeEach(async () => {
  posted = [];
  copied = [];
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  const requestAPI = async <T,>(path: string, init: RequestInit = {}): Promise<T> => {
    if (init.method === 'POST') {
      posted.push(JSON.parse(String(init.body)));
      return { id: 'l2', code: 'sc_secret', url: 'lab?conveyor-share=sc_secret', link: { ...used, id: 'l2', uses: 0, users: [], scope: 'collaborate' } } as T;
    }
    if (init.method === 'DELETE') {
      return { ...used, status: 'revoked', revokedAt: '2026-01-03T00:00:00Z' } as T;
    }
    return { links: [used] } as T;
  };
  model = new ShareLinksModel({ requestAPI, kind: 'workspace', target: { id: 'aaaaaaaaaaaa' }, baseUrl: 'http://h/' });
  await model.load();
  await render();
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

describe('ShareView', () => {
  it('lists the links with their uses and who used them', () => {
    expect(q('conveyor-share-uses')!.textContent).toBe('2 uses');
    expect(q('conveyor-share-link')!.textContent).toContain('bob — 2×');
    expect(q('conveyor-share-url')).toBeNull();
  });

  it('creates a collaborate link and shows it once with a copy button', async () => {
    await act(async () => {
      (q('conveyor-share-scope-collaborate') as HTMLInputElement).click();
    });
    await render();
    await act(async () => {
      q('conveyor-share-create')!.click();
    });
    await render();
    expect(posted).toEqual([
      { kind: 'workspace', target: { id: 'aaaaaaaaaaaa' }, scope: 'collaborate', expiresInSeconds: 7 * 86400 }
    ]);
    const url = (q('conveyor-share-url') as HTMLInputElement).value;
    expect(url).toBe('http://h/lab?conveyor-share=sc_secret');
    await act(async () => {
      q('conveyor-share-copy')!.click();
    });
    expect(copied).toEqual([url]);
    expect(container.querySelectorAll('[data-testid="conveyor-share-link"]')).toHaveLength(2);
  });

  it('offers a layout name for a workspace link, refusing a bad one, and shows the layout of a link', async () => {
    const field = q('conveyor-share-layout') as HTMLInputElement;
    expect(field.labels![0].textContent).toBe('JupyterLab layout (optional)');
    await act(async () => {
      model.layout = 'no spaces';
    });
    await render();
    expect(q('conveyor-share-layout')!.getAttribute('aria-invalid')).toBe('true');
    expect((q('conveyor-share-create') as HTMLButtonElement).disabled).toBe(true);
    await act(async () => {
      model.layout = 'paper';
    });
    await render();
    await act(async () => {
      q('conveyor-share-create')!.click();
    });
    expect(posted).toEqual([{ kind: 'workspace', target: { id: 'aaaaaaaaaaaa', layout: 'paper' }, scope: 'view', expiresInSeconds: 7 * 86400 }]);
    model.links[1].target.layout = 'paper';
    await render();
    expect(container.querySelector('.jp-Conveyor-shareLinkLayout')!.textContent).toBe('layout paper');
  });

  it('has no layout field for a run', async () => {
    model = new ShareLinksModel({ requestAPI: async <T,>() => ({ links: [] }) as T, kind: 'run', target: { id: 'r1' }, baseUrl: 'http://h/' });
    await render();
    expect(q('conveyor-share-layout')).toBeNull();
    expect(container.textContent).toContain('Recipients get a read-only view.');
  });

  it('revokes a link after confirmation and then offers no revoke for it', async () => {
    await act(async () => {
      q('conveyor-share-revoke')!.click();
    });
    await render();
    expect(model.links[0].status).toBe('revoked');
    expect(q('conveyor-share-revoke')).toBeNull();
    expect(q('conveyor-share-link')!.textContent).toContain('revoked');
  });

  it('keeps a link when the revoke is not confirmed', async () => {
    await render(false);
    await act(async () => {
      q('conveyor-share-revoke')!.click();
    });
    expect(model.links[0].status).toBe('active');
  });
});
