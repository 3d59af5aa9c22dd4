import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as path from 'path';

/**
 * Budget alerts in the browser: the galata companion runs with ui-tests/conveyor_budget_config.json
 * (CONVEYOR_CONFIG, set in jupyter_server_test_config.py): project "galata-budget" may spend $0.04 a
 * month and profile "galata-pricey" costs $14.40/h ($0.004/s). A real run of a few seconds on that
 * profile crosses 50/80/100%; each threshold shows a JupyterLab notification, and at 100% the submit
 * dialog shows the server's refusal. No other spec uses that project or profile.
 */
const API = '/conveyor/api/v1';
const RESULTS = path.join(__dirname, '..', 'test-results');
const PROJECT = 'galata-budget';
const PROFILE = 'galata-pricey';

test.use({ autoGoto: true });
test.setTimeout(180_000);

const NOTEBOOK = {
  cells: [
    { cell_type: 'code', id: 'a', metadata: {}, outputs: [], execution_count: null, source: 'print("spending", flush=True)' },
    { cell_type: 'code', id: 'b', metadata: {}, outputs: [], execution_count: null, source: 'import time\ntime.sleep(30)' }
  ],
  metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' }, language_info: { name: 'python' } },
  nbformat: 4,
  nbformat_minor: 5
};

/** A JupyterLab toast whose text contains `text`. */
const toast = (page: IJupyterLabPageFixture, text: string) => page.locator('.Toastify__toast', { hasText: text });

async function budgetState(page: IJupyterLabPageFixture) {
  const body = await (await page.request.get(`${API}/budgets`)).json();
  return (body.budgets as any[]).find(b => b.scope === 'project' && b.name === PROJECT);
}

test('a run crossing 50/80/100% of a project budget raises notifications; at 100% the submit dialog shows the refusal', async ({
  page,
  tmpPath
}) => {
  await expect.poll(async () => (await page.request.get(`${API}/status`)).status(), { timeout: 60_000 }).toBe(200);
  const profiles = await (await page.request.get(`${API}/profiles`)).json();
  expect(profiles.map((p: any) => p.name)).toContain(PROFILE);
  const before = await budgetState(page);
  expect(before).toEqual(expect.objectContaining({ limit: 0.04, spent: 0 }));

  const nb = `${tmpPath}/spend.ipynb`;
  await page.evaluate(
    ([p, content]) => (window as any).jupyterapp.serviceManager.contents.save(p, { type: 'notebook', format: 'json', content }),
    [nb, NOTEBOOK] as const
  );
  const res = await page.request.post(`${API}/runs`, {
    data: { notebook: { path: nb, resources: { profile: PROFILE } }, experiment: PROJECT, cache: false }
  });
  expect(res.status(), await res.text()).toBe(201);
  const run = (await res.json()).id as string;
  try {
    // The running step is metered every second: 50% at $0.02, 80% at $0.032, 100% at $0.04.
    await expect(toast(page, `Project ${PROJECT} has used 50% of its monthly budget`)).toBeVisible({ timeout: 90_000 });
    await expect(toast(page, `Project ${PROJECT} has used 80% of its monthly budget`)).toBeVisible({ timeout: 30_000 });
    const full = toast(page, `Project ${PROJECT} has used 100% of its monthly budget`);
    await expect(full).toBeVisible({ timeout: 30_000 });
    await expect(full).toContainText('of $0.04)');
    // 100% is an error that stays until closed, with an action that opens the Resources section.
    await expect(full.getByRole('button', { name: 'Show usage' })).toBeVisible();
    await page.screenshot({ path: path.join(RESULTS, 'resources-budget-alerts.png') });
    await full.screenshot({ path: path.join(RESULTS, 'resources-budget-alert-100.png') });
    const alerts = await (await page.request.get(`${API}/alerts`)).json();
    const raised = (Array.isArray(alerts) ? alerts : alerts.alerts)
      .filter((a: any) => a.scope === 'project' && a.name === PROJECT)
      .map((a: any) => a.threshold)
      .sort();
    expect(raised).toEqual([0.5, 0.8, 1]);

    // A new submission through the dialog is refused with the server's message; the dialog stays.
    await page.evaluate(p => {
      void (window as any).jupyterapp.commands.execute('conveyor:submit-notebook', { path: p });
    }, nb);
    const dialog = page.locator('.jp-Conveyor-submitDialog');
    await expect(dialog.getByLabel('Resources')).toBeVisible();
    await dialog.getByLabel('Resources').selectOption(PROFILE);
    await dialog.getByLabel('Experiment').fill(PROJECT);
    await page.getByRole('button', { name: 'Submit the run' }).click();
    const error = dialog.getByTestId('conveyor-submit-error');
    await expect(error).toContainText(`The project budget of ${PROJECT} for `);
    await expect(error).toContainText('is used up');
    await expect(error).toContainText('new work is refused');
    await dialog.screenshot({ path: path.join(RESULTS, 'resources-budget-refused.png') });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
    // Nothing was created by the refused submission: the project still has only the first run.
    const runs = await (await page.request.get(`${API}/runs?experiment=${PROJECT}`)).json();
    const ids = (Array.isArray(runs) ? runs : runs.runs).filter((r: any) => r.experiment === PROJECT).map((r: any) => r.id);
    expect(ids).toEqual([run]);
  } finally {
    await page.request.post(`${API}/runs/${run}/cancel`);
  }
});
