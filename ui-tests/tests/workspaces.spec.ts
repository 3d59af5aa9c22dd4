import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { BrowserContext, Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Issue #8's acceptance, against the real companion, Docker engine and workspace image: start a
 * workspace from the Workspaces section, open it (the inner JupyterLab loads through the proxy),
 * create a view link and copy it, open it as a second user (read-only: a save is refused), and
 * the owner's share dialog lists that use.
 *
 * Users: galata's Jupyter has no token, and Conveyor's proxy names every browser the OS account,
 * so this spec names its two users with the cookie galata_identity.py reads.
 */
const API = '/conveyor/api/v1';
const MLFLOW = '/conveyor/mlflow/api/2.0/mlflow';
const RESULTS = path.join(__dirname, '..', 'test-results');
const SIDEBAR_ID = 'jp-conveyor-sidebar';
const COOKIE = 'conveyor-galata-user';
const IMAGE = 'conveyor/workspace:dev';
const OWNER = 'galata-ws-owner';
const GUEST = 'galata-ws-guest';

test.use({ autoGoto: false });
test.setTimeout(120_000);

async function nameUser(context: BrowserContext, baseURL: string, name: string): Promise<void> {
  await context.addCookies([{ name: COOKIE, value: name, url: baseURL }]);
}

/** Requests a loaded JupyterLab must have had answered: its page, bundles, extensions, settings, themes. */
const LAB_ASSET = /\/(static|lab\/extensions|lab\/api\/(settings|themes|translations)|api\/translations)\//;

/**
 * Wait until a workspace's JupyterLab shows its main area and file browser, with none of its
 * assets refused. Other refused requests are noted in the report (test annotations).
 */
async function innerLabLoaded(tab: Page, failures: string[], who: string): Promise<void> {
  await tab.waitForLoadState('domcontentloaded');
  await expect(tab.locator('#jp-main-dock-panel')).toBeVisible({ timeout: 45_000 });
  await expect(tab.locator('.jp-DirListing-content')).toBeVisible({ timeout: 20_000 });
  // Refused by a server (an HTTP status): transport errors such as net::ERR_NETWORK_CHANGED (Docker
  // adding a bridge network under Chromium) are only noted; a missing bundle shows above anyway.
  expect(failures.filter(f => /^\d{3} /.test(f) && LAB_ASSET.test(f))).toEqual([]);
  test.info().annotations.push({ type: `refused requests (${who})`, description: failures.join('\n') || 'none' });
}

function recordFailures(tab: Page): string[] {
  const failures: string[] = [];
  tab.on('response', response => {
    if (response.status() >= 400) {
      failures.push(`${response.status()} ${response.request().method()} ${response.url()}`);
    }
  });
  // A navigation (JupyterLab moving to another layout) aborts the requests under way: not a failure.
  tab.on('requestfailed', request => {
    if (request.failure()?.errorText !== 'net::ERR_ABORTED') {
      failures.push(`${request.failure()?.errorText} ${request.method()} ${request.url()}`);
    }
  });
  return failures;
}

async function openWorkspaces(page: IJupyterLabPageFixture) {
  await page.locator(`.jp-SideBar .lm-TabBar-tab[data-id="${SIDEBAR_ID}"]`).click();
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('conveyor:show-workspaces'));
  const section = page.locator('#jp-conveyor-workspaces');
  await expect(section).toBeVisible();
  return section;
}

let workspaceId = '';

test.afterAll(async ({ playwright, baseURL }) => {
  if (!workspaceId) {
    return;
  }
  // Removes the container, its network and this spec's own home volume, even after a failure.
  const owner = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { Cookie: `${COOKIE}=${OWNER}` } });
  const removed = await owner.delete(`${API}/workspaces/${workspaceId}?volume=true`);
  await owner.dispose();
  expect(removed.status()).toBeLessThan(300);
});

test('start a workspace, share a view link, open it as a second user', async ({ page, browser, baseURL }) => {
  const base = baseURL!;
  await nameUser(page.context(), base, OWNER);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await page.goto();
  const status = await (await page.request.get(`${API}/status`)).json();
  expect(status.user.name).toBe(OWNER);

  const name = `galata-${Date.now().toString(36)}`;
  const guestContext = await browser.newContext({ baseURL: base });
  try {
    // Start it from the section: the image setup builds, the smallest profile.
    const section = await openWorkspaces(page);
    await section.getByTestId('conveyor-workspace-new').click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.getByTestId('conveyor-workspace-name').fill(name);
    await dialog.getByTestId('conveyor-workspace-image').selectOption(IMAGE);
    await dialog.getByTestId('conveyor-workspace-profile').selectOption('small');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    const row = section.locator(`[data-testid="conveyor-workspace"][data-name="${name}"]`);
    await expect(row).toBeVisible();
    workspaceId = (await row.getAttribute('data-id')) ?? '';
    expect(workspaceId).toMatch(/^[0-9a-f]{12}$/);
    await expect(row).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
    await expect(row.getByTestId('conveyor-workspace-status')).toHaveText('Running');
    await section.screenshot({ path: path.join(RESULTS, 'workspaces-section.png') });

    // Open it: a new tab with the workspace's own JupyterLab, loaded through the proxy.
    const [tab] = await Promise.all([page.context().waitForEvent('page'), row.getByTestId('conveyor-workspace-open').click()]);
    const ownerFailures = recordFailures(tab);
    await innerLabLoaded(tab, ownerFailures, 'owner');
    expect(tab.url()).toContain(`/conveyor/workspaces/${workspaceId}/lab`);
    await tab.screenshot({ path: path.join(RESULTS, 'workspaces-inner-lab.png') });
    // A notebook in the workspace for the guest to open (written by the owner, through the proxy).
    const wsApi = `${base}/conveyor/workspaces/${workspaceId}/api`;
    const put = await tab.request.put(`${wsApi}/contents/shared.ipynb`, {
      data: {
        type: 'notebook',
        format: 'json',
        content: {
          cells: [{ cell_type: 'markdown', metadata: {}, source: '# Shared with a guest' }],
          metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' } },
          nbformat: 4,
          nbformat_minor: 5
        }
      }
    });
    expect([200, 201]).toContain(put.status());
    await tab.close();

    // A view link: create it, copy it.
    await row.getByTestId('conveyor-workspace-share').click();
    const share = page.locator('.jp-Dialog').filter({ has: page.getByTestId('conveyor-share-create') });
    await expect(share.getByTestId('conveyor-share-scope-view')).toBeChecked();
    await share.getByTestId('conveyor-share-create').click();
    const field = share.getByTestId('conveyor-share-url');
    await expect(field).toHaveValue(/\/lab\?conveyor-share=cvs_/);
    const link = await field.inputValue();
    await share.getByTestId('conveyor-share-copy').click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    await share.screenshot({ path: path.join(RESULTS, 'workspaces-share-dialog.png') });
    await share.locator('.jp-Dialog-button.jp-mod-accept').click();

    // The second user opens the link: the workspace opens in a new tab, read-only.
    await nameUser(guestContext, base, GUEST);
    const guest = await guestContext.newPage();
    const guestTab = guestContext.waitForEvent('page', { timeout: 60_000 });
    await guest.goto(link);
    expect((await (await guest.request.get(`${API}/status`)).json()).user.name).toBe(GUEST);
    const inner = await guestTab;
    const guestFailures = recordFailures(inner);
    await innerLabLoaded(inner, guestFailures, 'guest');
    expect(inner.url()).toContain(`/conveyor/workspaces/${workspaceId}/lab`);
    // The guest sees it listed as shared with them, view only, without the owner's actions.
    await guest.locator(`.jp-SideBar .lm-TabBar-tab[data-id="${SIDEBAR_ID}"]`).click();
    await guest.evaluate(() => (window as any).jupyterapp.commands.execute('conveyor:show-workspaces'));
    const sharedRow = guest.getByTestId('conveyor-workspaces-shared').locator(`[data-id="${workspaceId}"]`);
    await expect(sharedRow.getByTestId('conveyor-workspace-scope')).toHaveText('View only');
    await expect(sharedRow.getByTestId('conveyor-workspace-share')).toHaveCount(0);
    await expect(sharedRow.getByTestId('conveyor-workspace-delete')).toHaveCount(0);
    await guest.locator('#jp-conveyor-workspaces').screenshot({ path: path.join(RESULTS, 'workspaces-shared-with-me.png') });

    // A notebook opens; saving it is refused with the read-only message.
    await inner.locator('.jp-DirListing-item', { hasText: 'shared.ipynb' }).dblclick();
    const notebook = inner.locator('.jp-NotebookPanel');
    await expect(notebook.getByRole('heading', { name: 'Shared with a guest' })).toBeVisible({ timeout: 20_000 });
    // Its kernel cannot start (view scope): JupyterLab says so; dismiss that, then save.
    const kernelRefused = inner.locator('.jp-Dialog').filter({ hasText: /kernel/i });
    await expect(kernelRefused).toBeVisible({ timeout: 20_000 });
    await inner.screenshot({ path: path.join(RESULTS, 'workspaces-guest-kernel-refused.png') });
    await expect(kernelRefused).toContainText(/read-only/);
    // JupyterLab may ask again (another start attempt): dismiss until none is left.
    await expect(async () => {
      for (const dialog of await kernelRefused.all()) {
        await dialog.locator('.jp-Dialog-button').last().click({ timeout: 2_000 });
      }
      await expect(kernelRefused).toHaveCount(0, { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await notebook.locator('.jp-Cell').first().click();
    await inner.keyboard.press('Control+s');
    const refused = inner.locator('.jp-Dialog').filter({ hasText: /read-only|read only/i });
    await expect(refused).toBeVisible({ timeout: 20_000 });
    await inner.screenshot({ path: path.join(RESULTS, 'workspaces-guest-save-refused.png') });
    const saved = await guest.request.get(`${base}/conveyor/workspaces/${workspaceId}/api/contents/shared.ipynb`);
    expect(saved.status()).toBe(200);
    // The guest's Conveyor sidebar in there: the catalog (which reads the owner's files) says calmly why it is empty.
    await refused.locator('.jp-Dialog-button').last().click();
    await inner.locator(`.jp-SideBar .lm-TabBar-tab[data-id="${SIDEBAR_ID}"]`).click();
    await expect(inner.getByTestId('conveyor-status-state')).toHaveText('Connected', { timeout: 30_000 });
    const note = inner.getByTestId('conveyor-components-read-only');
    await expect(note).toHaveText('Read-only share: the catalog reads this workspace’s files, which a view link does not open.');
    await expect(inner.locator('#jp-conveyor-components .jp-Conveyor-error')).toHaveCount(0);
    await note.screenshot({ path: path.join(RESULTS, 'workspaces-guest-components-read-only.png') });

    // The owner's share dialog lists the guest's use.
    await row.getByTestId('conveyor-workspace-share').click();
    const again = page.locator('.jp-Dialog').filter({ has: page.getByTestId('conveyor-share-create') });
    const used = again.getByTestId('conveyor-share-link').filter({ hasText: GUEST });
    await expect(used).toBeVisible();
    await expect(used.getByTestId('conveyor-share-uses')).toHaveText('1 use');
    await again.screenshot({ path: path.join(RESULTS, 'workspaces-share-used.png') });
    await again.locator('.jp-Dialog-button.jp-mod-accept').click();
    await page.theme.setDarkTheme();
    await section.screenshot({ path: path.join(RESULTS, 'workspaces-section-dark.png') });
    await page.theme.setLightTheme();
  } finally {
    await guestContext.close();
  }
});

test('inside the workspace: the Conveyor sidebar is connected, without Git, and a notebook made there is submitted and succeeds', async ({ page, baseURL }) => {
  // The workspace the first test started (same file, run in order): no second container.
  expect(workspaceId, 'the workspace of the first test').toMatch(/^[0-9a-f]{12}$/);
  const base = baseURL!;
  await nameUser(page.context(), base, OWNER);
  const tab = await page.context().newPage();
  const failures = recordFailures(tab);
  await tab.goto(`${base}/conveyor/workspaces/${workspaceId}/lab`);
  await innerLabLoaded(tab, failures, 'owner, inside');

  // Conveyor's own sidebar, in the workspace's JupyterLab, connected to the companion through the proxy.
  await tab.locator(`.jp-SideBar .lm-TabBar-tab[data-id="${SIDEBAR_ID}"]`).click();
  await expect(tab.getByTestId('conveyor-status-state')).toHaveText('Connected', { timeout: 30_000 });
  await expect(tab.locator('#jp-conveyor-runs')).toBeAttached();
  // No Git section: the server's git would act on its own folder, not the workspace's.
  await expect(tab.locator('#jp-conveyor-git')).toHaveCount(0);
  // Nor the entries that would write into the server's folder (409 not_available_in_workspace there).
  await expect(tab.locator('#jp-conveyor-datasets .jp-Conveyor-datasetDiffButton')).toBeAttached();
  await expect(tab.locator('#jp-conveyor-datasets [data-testid="conveyor-dataset-register"]')).toHaveCount(0);
  const cards = tab.locator('.jp-LauncherCard-label');
  await expect(cards.filter({ hasText: /^Pipeline$/ })).toHaveCount(1);
  await expect(cards.filter({ hasText: 'Pipeline from Template' })).toHaveCount(0);

  // A notebook made in the workspace (written through its own Jupyter), submitted from its file browser.
  const notebook = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'hello_params.ipynb'), 'utf-8'));
  const name = `inside-${Date.now().toString(36)}.ipynb`;
  const put = await tab.request.put(`${base}/conveyor/workspaces/${workspaceId}/api/contents/${name}`, {
    data: { type: 'notebook', format: 'json', content: notebook }
  });
  expect([200, 201]).toContain(put.status());
  const item = tab.locator('.jp-DirListing-item[data-file-type="notebook"]', { hasText: name });
  await tab.locator('.jp-SideBar .lm-TabBar-tab[data-id="filebrowser"]').click();
  await expect(async () => {
    await tab.locator('.jp-FileBrowser-toolbar [data-command="filebrowser:refresh"]').click();
    await expect(item).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await item.click({ button: 'right' });
  await tab.getByRole('menuitem', { name: 'Submit to training…' }).click();
  const dialog = tab.locator('.jp-Conveyor-submitDialog');
  await expect(dialog.getByTestId('conveyor-submit-path')).toHaveText(name);
  await expect(dialog.getByLabel('Image')).toHaveValue('conveyor/base:dev');
  await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
  await expect(dialog).toHaveCount(0);

  // The run, in the workspace's own Runs section, to success.
  const row = tab.locator('#jp-conveyor-runs [data-testid="conveyor-run-row"].jp-mod-selected');
  await expect(row).toContainText(/inside-/, { timeout: 30_000 });
  if (!(await row.isVisible())) {
    await tab.locator(`.jp-SideBar .lm-TabBar-tab[data-id="${SIDEBAR_ID}"]`).click();
  }
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute('data-status', 'succeeded', { timeout: 90_000 });
  await expect(row.getByTestId('conveyor-status-pill')).toHaveText(/Succeeded/);
  await tab.screenshot({ path: path.join(RESULTS, 'workspaces-inside-run.png') });
  await row.screenshot({ path: path.join(RESULTS, 'workspaces-inside-run-row.png') });
  expect(failures.filter(f => f.includes('/conveyor/api/') && /^5\d\d /.test(f))).toEqual([]);
  await tab.close();
});

test('share an experiment comparison from the Experiments view; a second user opens it read-only', async ({ page, browser, baseURL }) => {
  const base = baseURL!;
  await nameUser(page.context(), base, OWNER);
  await page.goto();
  const name = `shared-comparison-${Date.now().toString(36)}`;
  const created = await page.request.post(`${MLFLOW}/experiments/create`, { data: { name } });
  expect(created.status()).toBe(200);
  const { experiment_id: experimentId } = await created.json();
  expect((await page.request.post(`${MLFLOW}/runs/create`, { data: { experiment_id: experimentId, run_name: 'r1', start_time: Date.now() } })).status()).toBe(200);
  await page.evaluate(async id => {
    const commands = (window as any).jupyterapp.commands;
    await commands.execute('conveyor:refresh-experiments');
    await commands.execute('conveyor:open-experiments', { experimentIds: [id] });
  }, String(experimentId));

  // The owner's toolbar offers Share…: a read-only comparison link.
  const view = page.locator('.jp-Conveyor-expView');
  await expect(view.getByTestId('conveyor-exp-total')).toHaveText('1 run');
  await expect(view.getByTestId('conveyor-exp-mark-candidate')).toBeVisible();
  await view.getByTestId('conveyor-exp-share').click();
  const share = page.locator('.jp-Dialog').filter({ has: page.getByTestId('conveyor-share-create') });
  await expect(share.locator('.jp-Dialog-header')).toHaveText(`Share ${name}`);
  await expect(share.getByTestId('conveyor-share-scope-view')).toHaveCount(0);
  await share.getByTestId('conveyor-share-create').click();
  const link = await share.getByTestId('conveyor-share-url').inputValue();
  expect(link).toMatch(/\/lab\?conveyor-share=cvs_/);
  await share.locator('.jp-Dialog-button.jp-mod-accept').click();

  // The second user opens the link: the Experiments view of that experiment, without Share….
  const guestContext = await browser.newContext({ baseURL: base });
  try {
    await nameUser(guestContext, base, GUEST);
    const guest = await guestContext.newPage();
    await guest.goto(link);
    const shared = guest.locator('.jp-Conveyor-expView');
    await expect(shared.getByTestId('conveyor-exp-total')).toHaveText('1 run', { timeout: 30_000 });
    await expect(guest.getByText(`${OWNER} shared an experiment comparison with you (view only)`, { exact: false })).toBeVisible();
    await expect(shared.getByTestId('conveyor-exp-share')).toHaveCount(0);
    // Read-only: no Mark candidate / Unmark (the server refuses them), and the tab is named after the experiment.
    await expect(shared.getByTestId('conveyor-exp-mark-candidate')).toHaveCount(0);
    await expect(shared.getByTestId('conveyor-exp-unmark-candidate')).toHaveCount(0);
    await expect(guest.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')).toContainText(`Experiments: ${name}`);
    await guest.screenshot({ path: path.join(RESULTS, 'workspaces-comparison-guest.png') });
  } finally {
    await guestContext.close();
  }
});

test('share a dataset version from its view; a second user opens that version', async ({ page, browser, baseURL, tmpPath }) => {
  const base = baseURL!;
  await nameUser(page.context(), base, OWNER);
  await page.goto();
  const name = `shared-data-${Date.now().toString(36)}`;
  await page.contents.uploadContent('a,b\n1,2\n', 'text', `${tmpPath}/data/t.csv`);
  const added = await page.request.post(`${API}/datasets/versions`, { data: { name, path: `${tmpPath}/data`, message: 'for a guest' } });
  expect(added.status(), await added.text()).toBe(201);
  const version = await added.json();
  await page.evaluate(
    args => (window as any).jupyterapp.commands.execute('conveyor:open-dataset-version', args),
    { owner: OWNER, name, ref: version.id }
  );

  // The owner's version view offers Share…: a read-only link to this version.
  const view = page.locator('.jp-Conveyor-datasetPage');
  await view.getByRole('button', { name: 'Share this version…' }).click();
  const share = page.locator('.jp-Dialog').filter({ has: page.getByTestId('conveyor-share-create') });
  await expect(share.locator('.jp-Dialog-header')).toHaveText(`Share ${OWNER}/${name}@${version.id}`);
  await share.getByTestId('conveyor-share-create').click();
  const link = await share.getByTestId('conveyor-share-url').inputValue();
  await share.locator('.jp-Dialog-button.jp-mod-accept').click();

  // The second user opens the link: that version's view, its file listed, without Share….
  const guestContext = await browser.newContext({ baseURL: base });
  try {
    await nameUser(guestContext, base, GUEST);
    const guest = await guestContext.newPage();
    await guest.goto(link);
    const shared = guest.locator('.jp-Conveyor-datasetPage');
    await expect(shared.locator('h2')).toHaveText(`${OWNER}/${name}@${version.id}`, { timeout: 30_000 });
    await expect(shared).toContainText('for a guest');
    await expect(shared.getByTestId('conveyor-dataset-share')).toHaveCount(0);
  } finally {
    await guestContext.close();
  }
});

test('share a run from its view; a second user opens it read-only', async ({ page, browser, baseURL, tmpPath }) => {
  const base = baseURL!;
  await nameUser(page.context(), base, OWNER);
  await page.goto();
  await page.contents.uploadFile(path.join(__dirname, '..', 'fixtures', 'hello_params.ipynb'), `${tmpPath}/hello_params.ipynb`);
  const submitted = await page.request.post(`${API}/runs`, {
    data: { notebook: { path: `${tmpPath}/hello_params.ipynb` }, experiment: 'shared-run', cache: false }
  });
  expect(submitted.status(), await submitted.text()).toBe(201);
  const run = await submitted.json();
  try {
    await page.evaluate(id => (window as any).jupyterapp.commands.execute('conveyor:open-run', { id }), run.id);
    const view = page.locator(`.jp-Conveyor-run[data-run-id="${run.id}"]`);
    await view.getByRole('button', { name: `Share run ${run.name}…` }).click();
    const share = page.locator('.jp-Dialog').filter({ has: page.getByTestId('conveyor-share-create') });
    await expect(share).toContainText('Recipients get a read-only view.');
    await share.getByTestId('conveyor-share-create').click();
    const link = await share.getByTestId('conveyor-share-url').inputValue();
    await share.locator('.jp-Dialog-button.jp-mod-accept').click();

    // The second user opens the link: the run's view, without Share… (nor cancel: not theirs).
    const guestContext = await browser.newContext({ baseURL: base });
    try {
      await nameUser(guestContext, base, GUEST);
      const guest = await guestContext.newPage();
      await guest.goto(link);
      const shared = guest.locator(`.jp-Conveyor-run[data-run-id="${run.id}"]`);
      await expect(shared.getByTestId('conveyor-run-name')).toHaveText(run.name, { timeout: 30_000 });
      await expect(shared).toContainText(OWNER);
      await expect(shared.getByTestId('conveyor-run-share')).toHaveCount(0);
    } finally {
      await guestContext.close();
    }
  } finally {
    // Whatever it is doing by now, no container is left behind.
    const cancelled = await page.request.post(`${API}/runs/${run.id}/cancel`);
    expect(cancelled.status()).toBeLessThan(500);
  }
});
