import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { APIRequestContext, Locator } from '@playwright/test';
import * as path from 'path';

/**
 * The "Models" sidebar section against the real companion: a run is logged and a model version
 * registered from its artifact through Conveyor's MLflow REST API (as `mlflow.register_model`
 * does; galata's Jupyter has auth disabled), then shown with its alias, source run and metrics.
 */
const RESULTS = path.join(__dirname, '..', 'test-results');
const SIDEBAR_ID = 'jp-conveyor-sidebar';
const API = '/conveyor/api/v1';
const MLFLOW = '/conveyor/mlflow/api/2.0/mlflow';
const ARTIFACTS = '/conveyor/mlflow/api/2.0/mlflow-artifacts/artifacts';

test.use({ autoGoto: true });
test.setTimeout(180_000);

async function mlflow(request: APIRequestContext, endpoint: string, data: unknown): Promise<any> {
  const response = await request.post(`${MLFLOW}/${endpoint}`, { data });
  expect(response.status(), `${endpoint}: ${await response.text()}`).toBe(200);
  return response.json();
}

/** A finished run with metrics and a `model/MLmodel` artifact, as `mlflow.log_artifacts` leaves it. */
async function runWithModel(
  request: APIRequestContext,
  experimentId: string,
  name: string,
  metrics: Record<string, number>
): Promise<string> {
  const { run } = await mlflow(request, 'runs/create', { experiment_id: experimentId, run_name: name, start_time: Date.now() });
  const runId: string = run.info.run_id;
  await mlflow(request, 'runs/log-batch', {
    run_id: runId,
    metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, step: 0, timestamp: Date.now() })),
    params: [{ key: 'depth', value: name.length > 10 ? '8' : '4' }],
    tags: []
  });
  const put = await request.put(`${ARTIFACTS}/${experimentId}/${runId}/artifacts/model/MLmodel`, {
    data: Buffer.from('artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n'),
    headers: { 'Content-Type': 'application/octet-stream' }
  });
  expect(put.status(), await put.text()).toBe(200);
  await mlflow(request, 'runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
  return runId;
}

async function openModels(page: IJupyterLabPageFixture): Promise<Locator> {
  await page.locator(`.jp-SideBar .lm-TabBar-tab[data-id="${SIDEBAR_ID}"]`).click();
  const title = page.locator(`#${SIDEBAR_ID} .lm-AccordionPanel-title`).filter({ hasText: /^Models$/ });
  await expect(title).toBeVisible();
  // Only this section open, so the list has room (and the screenshot shows it).
  const titles = page.locator(`#${SIDEBAR_ID} .lm-AccordionPanel-title`);
  for (let i = 0; i < (await titles.count()); i++) {
    const other = titles.nth(i);
    if ((await other.getAttribute('aria-expanded')) === 'true' && (await other.innerText()).trim() !== 'Models') {
      await other.click();
    }
  }
  if ((await title.getAttribute('aria-expanded')) !== 'true') {
    await title.click();
  }
  const section = page.locator('#jp-conveyor-models');
  await expect(section).toBeVisible();
  await section.getByRole('button', { name: 'Refresh models' }).click();
  return section;
}

test.describe('Models section', () => {
  test.beforeEach(async ({ page }) => {
    await expect
      .poll(async () => (await page.request.get(`${API}/status`)).status(), { timeout: 60_000 })
      .toBe(200);
  });

  test('lists a registered model with its champion version, source run and metrics; the run opens and compares with its versions', async ({
    page
  }) => {
    const suffix = Date.now().toString(36);
    const modelName = `churn-${suffix}`;
    const { experiment_id } = await mlflow(page.request, 'experiments/create', { name: `models-${suffix}` });
    const experimentId = String(experiment_id);
    const source = await runWithModel(page.request, experimentId, 'source-run', { auc: 0.87, loss: 0.25 });
    const other = await runWithModel(page.request, experimentId, 'other-run-long', { auc: 0.81, loss: 0.3 });

    await mlflow(page.request, 'registered-models/create', { name: modelName });
    const { model_version } = await mlflow(page.request, 'model-versions/create', {
      name: modelName,
      source: `runs:/${source}/model`,
      run_id: source
    });
    expect(model_version.version).toBe('1');
    await mlflow(page.request, 'registered-models/alias', { name: modelName, alias: 'champion', version: '1' });
    for (const runId of [source, other]) {
      const marked = await page.request.put(`${API}/experiments/runs/${runId}/candidate`, { data: { candidate: true } });
      expect(marked.status(), await marked.text()).toBe(200);
    }

    const section = await openModels(page);
    const item = section.locator(`[data-testid="conveyor-model"][data-model="${modelName}"]`);
    await expect(item).toContainText(modelName);
    await expect(item).toContainText('1 version');
    await expect(item).toContainText('@champion v1');

    // Expanding with the keyboard shows version 1 with its alias, source run and metrics.
    const toggle = item.getByTestId('conveyor-model-toggle');
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const version = item.locator('[data-testid="conveyor-model-version"][data-version="1"]');
    await expect(version).toContainText('Version 1');
    await expect(version.getByTestId('conveyor-model-alias')).toHaveText('@champion');
    await expect(version.locator('[data-testid="conveyor-model-metric"][data-key="auc"] dd')).toHaveText('0.87');
    await expect(version.locator('[data-testid="conveyor-model-metric"][data-key="loss"] dd')).toHaveText('0.25');
    const runLink = version.getByTestId('conveyor-model-run');
    await expect(runLink).toHaveText('source-run');
    await section.screenshot({ path: path.join(RESULTS, 'experiments-models-list.png') });

    // The source run opens in the Experiments view, selected, with its details.
    await runLink.click();
    const view = page.locator('.jp-Conveyor-expWidget');
    await expect(view).toBeVisible();
    const detail = view.getByTestId('conveyor-exp-detail');
    await expect(detail).toHaveAttribute('data-run-id', source);
    await expect(detail).toContainText('source-run');

    // The candidate comparison shows the version registered from each run.
    await view.getByTestId('conveyor-exp-tab-candidates').click();
    const row = view.locator('[data-testid="conveyor-candidates-row"][data-key="registered versions"]');
    await expect(row).toContainText(`${modelName} v1 (@champion)`);
    // One column per candidate: the source run's has the version, the other run's has none.
    const table = view.getByTestId('conveyor-candidates');
    const columns = await table.locator('thead th[title]').evaluateAll(ths => ths.map(th => th.getAttribute('title')));
    expect([...columns].sort()).toEqual([source, other].sort());
    await expect(row.locator('td')).toHaveText(columns.map(id => (id === source ? `${modelName} v1 (@champion)` : '—')));
    await view.screenshot({ path: path.join(RESULTS, 'experiments-models-candidates.png') });
  });
});
