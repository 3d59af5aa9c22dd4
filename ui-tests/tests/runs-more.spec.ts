import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { APIRequestContext, Locator } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as path from 'path';

/**
 * What the Runs section and the run view offer beyond submit-and-watch: diffing two runs,
 * cancelling, resuming, submitting from the notebook toolbar, and read-only executed notebooks.
 * Everything is real: the companion runs the notebooks in Docker containers.
 *
 * Runs the test only needs as a starting point are submitted through the API (as the dialog
 * does: `POST /conveyor/api/v1/runs`); what the test proves is done in the UI.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures');
const RESULTS = path.join(__dirname, '..', 'test-results');
const API = '/conveyor/api/v1';
const RUN_TIMEOUT = 90_000;
const SIDEBAR_ID = 'jp-conveyor-sidebar';

test.use({ autoGoto: true });
test.setTimeout(180_000);

interface IRun {
  id: string;
  name: string;
  status: string;
  resumedFrom?: string | null;
  steps: { name: string; status: string; containerId?: string | null }[];
}

/** Headers the browser would send: the XSRF cookie echoed back (Jupyter checks it on POST). */
async function xsrfHeaders(page: IJupyterLabPageFixture): Promise<Record<string, string>> {
  const cookies = await page.context().cookies();
  const xsrf = cookies.find(c => c.name === '_xsrf');
  return xsrf ? { 'X-XSRFToken': decodeURIComponent(xsrf.value) } : {};
}

async function submitNotebook(
  page: IJupyterLabPageFixture,
  notebookPath: string,
  params: Record<string, unknown> = {}
): Promise<IRun> {
  const response = await page.request.post(`${API}/runs`, {
    headers: await xsrfHeaders(page),
    data: { notebook: { path: notebookPath, params } }
  });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as IRun;
}

async function getRun(request: APIRequestContext, id: string): Promise<IRun> {
  const response = await request.get(`${API}/runs/${id}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as IRun;
}

async function waitForStatus(
  request: APIRequestContext,
  id: string,
  status: string
): Promise<IRun> {
  await expect
    .poll(async () => (await getRun(request, id)).status, { timeout: RUN_TIMEOUT })
    .toBe(status);
  return getRun(request, id);
}

/** Containers of a run, stopped or not, as the engine lists them by label. */
function containersOf(runId: string): string[] {
  const out = execFileSync(
    'docker',
    ['ps', '-a', '--filter', `label=io.conveyor.run=${runId}`, '-q'],
    { encoding: 'utf-8' }
  );
  return out.split('\n').filter(Boolean);
}

async function openRunsSection(page: IJupyterLabPageFixture): Promise<Locator> {
  await page.locator(`.jp-SideBar .lm-TabBar-tab[data-id="${SIDEBAR_ID}"]`).click();
  const list = page.getByTestId('conveyor-runs-list');
  await expect(list).toBeVisible();
  return list;
}

function runRow(page: IJupyterLabPageFixture, id: string): Locator {
  return page.locator(`[data-testid="conveyor-run-row"][data-run-id="${id}"]`);
}

/** Opens a run's view by clicking its row in the Runs section. */
async function openRunView(page: IJupyterLabPageFixture, id: string): Promise<Locator> {
  await openRunsSection(page);
  await runRow(page, id).click();
  const view = page.locator('.jp-Conveyor-runView:visible');
  await expect(view.locator(`.jp-Conveyor-run[data-run-id="${id}"]`)).toBeVisible();
  return view;
}

test.describe('Notebook runs: diff, cancel, resume, toolbar, read-only', () => {
  test.beforeEach(async ({ page }) => {
    await expect
      .poll(async () => (await page.request.get(`${API}/status`)).status(), {
        timeout: 60_000
      })
      .toBe(200);
  });

  test('diffs the executed notebooks of two runs: the changed parameter and output, the rest unchanged', async ({
    page,
    tmpPath
  }) => {
    const nb = `${tmpPath}/diff_params.ipynb`;
    await page.contents.uploadFile(path.join(FIXTURES, 'diff_params.ipynb'), nb);
    const a = await submitNotebook(page, nb, { scale: 2 });
    const b = await submitNotebook(page, nb, { scale: 3 });
    await Promise.all([
      waitForStatus(page.request, a.id, 'succeeded'),
      waitForStatus(page.request, b.id, 'succeeded')
    ]);

    await openRunsSection(page);
    const rowA = runRow(page, a.id);
    const rowB = runRow(page, b.id);
    await expect(rowA).toHaveAttribute('data-status', 'succeeded');
    await expect(rowB).toHaveAttribute('data-status', 'succeeded');
    // One by its checkbox, the other by Ctrl-click: both check a run for the diff.
    await rowA.getByRole('checkbox').check();
    await expect(page.getByText('Check one more run to compare')).toBeVisible();
    await rowB.click({ modifiers: ['Control'] });
    await expect(rowB.getByRole('checkbox')).toBeChecked();
    await expect(page.getByText('2 runs checked')).toBeVisible();
    // Ctrl-click checks without opening the run.
    await expect(page.locator('.jp-Conveyor-runView')).toHaveCount(0);

    await page.getByTestId('conveyor-runs-diff').click();
    const diff = page.getByTestId('conveyor-diff');
    await expect(diff).toBeVisible();

    // Two runs of one notebook share a name: their parameters and ids tell them apart.
    await expect(diff.getByTestId('conveyor-diff-side-a')).toContainText('scale=2');
    await expect(diff.getByTestId('conveyor-diff-side-a')).toContainText(a.id);
    await expect(diff.getByTestId('conveyor-diff-side-b')).toContainText('scale=3');
    await expect(diff.getByTestId('conveyor-diff-side-b')).toContainText(b.id);

    const params = diff.getByTestId('conveyor-diff-params');
    const scale = params.getByRole('row', { name: /scale/ });
    await expect(scale.locator('.jp-Conveyor-diffDel')).toHaveText('2');
    await expect(scale.locator('.jp-Conveyor-diffAdd')).toHaveText('3');
    await expect(params.getByRole('row')).toHaveCount(1);

    const cells = diff.getByTestId('conveyor-diff-cell');
    const printing = cells.filter({ hasText: 'result=' });
    await expect(printing).toHaveAttribute('data-status', 'modified');
    await expect(printing).toContainText('outputs changed');
    await printing.getByText('Outputs (changed)').click();
    await expect(printing.locator('.jp-Conveyor-diffDel')).toHaveText('result=20 label=same');
    await expect(printing.locator('.jp-Conveyor-diffAdd')).toHaveText('result=30 label=same');

    const injected = cells.filter({ hasText: 'injected-parameters' });
    await expect(injected).toHaveAttribute('data-status', 'modified');
    await expect(injected.locator('.jp-Conveyor-diffAdd')).toContainText('scale = 3');

    // Unchanged cells say so and show their first line, so the reader knows which they are.
    for (const text of ['# Two runs to compare', 'scale = 1', 'print("this line never changes")']) {
      await expect(cells.filter({ hasText: text })).toHaveAttribute('data-status', 'unchanged');
    }
    await expect(diff).toContainText('2 modified, 0 added, 0 removed, 0 moved, 3 unchanged');

    await page.screenshot({ path: path.join(RESULTS, 'runs-diff-light.png') });
    await page.theme.setDarkTheme();
    await page.screenshot({ path: path.join(RESULTS, 'runs-diff-dark.png') });
    await page.theme.setLightTheme();
  });

  test('cancels a running notebook from the run view and removes its container', async ({
    page,
    tmpPath
  }) => {
    const nb = `${tmpPath}/sleepy.ipynb`;
    await page.contents.uploadFile(path.join(FIXTURES, 'sleepy.ipynb'), nb);
    const run = await submitNotebook(page, nb);
    await waitForStatus(page.request, run.id, 'running');

    const view = await openRunView(page, run.id);
    // The container is up once the first cell has printed.
    await expect(view.getByTestId('conveyor-step-log')).toContainText('going to sleep', {
      timeout: 30_000
    });
    expect(containersOf(run.id)).toHaveLength(1);
    const cancel = view.getByTestId('conveyor-run-cancel');
    await expect(cancel).toBeEnabled();
    const clickedAt = Date.now();
    await cancel.click();

    await expect(view.locator('.jp-Conveyor-run')).toHaveAttribute('data-status', 'cancelled', {
      timeout: 20_000
    });
    expect(Date.now() - clickedAt).toBeLessThan(20_000);
    await expect(view.getByTestId('conveyor-run-name').locator('..')).toContainText('Cancelled');
    await expect(cancel).toBeDisabled();
    await expect(view.getByTestId('conveyor-run-resume')).toBeEnabled();
    await expect(runRow(page, run.id)).toHaveAttribute('data-status', 'cancelled');

    const after = await getRun(page.request, run.id);
    expect(after.status).toBe('cancelled');
    expect(after.steps.map(s => s.status)).toEqual(['cancelled']);
    await expect.poll(() => containersOf(run.id), { timeout: 10_000 }).toEqual([]);
    await page.screenshot({ path: path.join(RESULTS, 'runs-view-cancelled.png') });
  });

  test('resumes a failed run after the notebook is fixed: a new run, resumed from the first, succeeds', async ({
    page,
    tmpPath
  }) => {
    const nb = `${tmpPath}/flaky.ipynb`;
    await page.contents.uploadFile(path.join(FIXTURES, 'flaky.ipynb'), nb);
    const first = await submitNotebook(page, nb);
    await waitForStatus(page.request, first.id, 'failed');

    const view = await openRunView(page, first.id);
    await expect(view.getByTestId('conveyor-step-error')).toContainText(
      'RuntimeError: not fixed yet'
    );
    // Fix the notebook in the workspace: resume reads it again.
    await page.contents.uploadFile(path.join(FIXTURES, 'flaky_fixed.ipynb'), nb);
    await view.getByTestId('conveyor-run-resume').click();

    const resumed = page.locator('.jp-Conveyor-runView:visible .jp-Conveyor-run');
    await expect(resumed).not.toHaveAttribute('data-run-id', first.id);
    const resumedId = (await resumed.getAttribute('data-run-id'))!;
    await expect(resumed.getByRole('link', { name: first.id })).toBeVisible();
    await expect(resumed).toContainText('Resumed from');
    await expect(resumed).toHaveAttribute('data-status', 'succeeded', { timeout: RUN_TIMEOUT });
    await expect(resumed.getByTestId('conveyor-step-log')).toContainText('fixed now', {
      timeout: 30_000
    });

    const again = await getRun(page.request, resumedId);
    expect(again.resumedFrom).toBe(first.id);
    expect(again.steps.map(s => s.status)).toEqual(['succeeded']);
    expect((await getRun(page.request, first.id)).status).toBe('failed');
    await expect(runRow(page, resumedId)).toHaveAttribute('data-status', 'succeeded');

    // The link goes back to the run it resumed.
    await resumed.getByRole('link', { name: first.id }).click();
    await expect(
      page.locator(`.jp-Conveyor-runView:visible .jp-Conveyor-run[data-run-id="${first.id}"]`)
    ).toBeVisible();
  });

  test('the notebook toolbar button saves unsaved edits before submitting and says so', async ({
    page,
    tmpPath
  }) => {
    const nb = `${tmpPath}/hello_params.ipynb`;
    await page.contents.uploadFile(path.join(FIXTURES, 'hello_params.ipynb'), nb);
    await page.notebook.openByPath(nb);
    await page.notebook.activate('hello_params.ipynb');
    const edit = 'print("edited before submitting")';
    await page.notebook.setCell(1, 'code', edit);
    const tab = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current');
    await expect(tab).toHaveClass(/jp-mod-dirty/);

    const toolbar = (await page.notebook.getToolbarLocator())!;
    const button = toolbar.locator('[data-command="conveyor:submit-notebook"]');
    await expect(button).toBeVisible();
    await button.click();

    const dialog = page.locator('.jp-Conveyor-submitDialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('conveyor-submit-path')).toHaveText(nb);
    await expect(dialog.getByTestId('conveyor-submit-saved')).toHaveText(
      'Saved before submitting'
    );
    await expect(tab).not.toHaveClass(/jp-mod-dirty/);
    const onDisk = await page.request.get(`/api/contents/${nb}?content=1`);
    const cells = (await onDisk.json()).content.cells as { source: string }[];
    expect(cells[1].source).toBe(edit);
    await page.screenshot({ path: path.join(RESULTS, 'runs-submit-saved.png') });

    await dialog.locator('.jp-Dialog-button.jp-mod-reject').click();
    await expect(dialog).toHaveCount(0);
  });

  test('saving an executed notebook explains it is read-only and leaves it open', async ({
    page,
    tmpPath
  }) => {
    const nb = `${tmpPath}/hello_params.ipynb`;
    await page.contents.uploadFile(path.join(FIXTURES, 'hello_params.ipynb'), nb);
    const run = await submitNotebook(page, nb, { epochs: 4 });
    await waitForStatus(page.request, run.id, 'succeeded');

    const view = await openRunView(page, run.id);
    await view.getByTestId('conveyor-open-executed').click();
    const notebook = page.locator('.jp-NotebookPanel:visible');
    const output = notebook.locator('.jp-OutputArea-output').first();
    await expect(output).toContainText('hello from conveyor: epochs=4');
    // Opened as a record: no kernel started, so nothing rewrites it and it is not "modified".
    const tab = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current');
    await expect(notebook.locator('.jp-KernelName')).toContainText(
      'No Kernel'
    );
    await expect(tab).not.toHaveClass(/jp-mod-dirty/);

    await notebook.locator('.jp-Cell').last().click();
    await page.keyboard.press('Control+s');
    // JupyterLab refuses to save a read-only document and says why, in a notification.
    const message = page.locator('.jp-Notification-Toast-error, .Toastify__toast', {
      hasText: 'read-only'
    });
    await expect(message).toBeVisible();
    await expect(message).toContainText('Save as');
    await expect(page.locator('.jp-Dialog')).toHaveCount(0);
    await page.screenshot({ path: path.join(RESULTS, 'runs-executed-readonly.png') });

    // Still open, intact and unmodified.
    await expect(output).toContainText('hello from conveyor: epochs=4');
    await expect(tab).not.toHaveClass(/jp-mod-dirty/);
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')).toContainText(
      /hello.params\.ipynb/
    );
  });
});
