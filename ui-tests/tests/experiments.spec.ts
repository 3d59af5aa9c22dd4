import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { APIRequestContext, Locator } from '@playwright/test';
import * as path from 'path';

/**
 * The Experiments panel against the real companion: runs are logged through Conveyor's MLflow
 * REST API (as the mlflow client does; galata's Jupyter has auth disabled), then compared.
 */
const RESULTS = path.join(__dirname, '..', 'test-results');
const FIXTURES = path.join(__dirname, '..', 'fixtures');
const SIDEBAR_ID = 'jp-conveyor-sidebar';
const API = '/conveyor/api/v1';
const MLFLOW = '/conveyor/mlflow/api/2.0/mlflow';

test.use({ autoGoto: true });
test.setTimeout(180_000);

async function mlflow(request: APIRequestContext, endpoint: string, data: unknown): Promise<any> {
  const response = await request.post(`${MLFLOW}/${endpoint}`, { data });
  expect(response.status(), `${endpoint}: ${await response.text()}`).toBe(200);
  return response.json();
}

interface IRunSpec {
  name: string;
  params: Record<string, string>;
  losses: number[];
}

/** An experiment with runs logged like `mlflow.start_run(); log_params; log_metric(step=i)`. */
async function logExperiment(request: APIRequestContext, name: string, runs: IRunSpec[]) {
  const { experiment_id } = await mlflow(request, 'experiments/create', { name });
  const ids: Record<string, string> = {};
  let t = Date.now() - 60_000;
  for (const spec of runs) {
    const { run } = await mlflow(request, 'runs/create', {
      experiment_id,
      run_name: spec.name,
      start_time: (t += 1000)
    });
    const runId = run.info.run_id;
    ids[spec.name] = runId;
    await mlflow(request, 'runs/log-batch', {
      run_id: runId,
      params: Object.entries(spec.params).map(([key, value]) => ({ key, value })),
      metrics: spec.losses.map((value, step) => ({ key: 'loss', value, step, timestamp: t + step })),
      tags: []
    });
    await mlflow(request, 'runs/update', { run_id: runId, status: 'FINISHED', end_time: t + 500 });
  }
  return { experimentId: String(experiment_id), ids };
}

async function openSection(page: IJupyterLabPageFixture): Promise<Locator> {
  await page.locator(`.jp-SideBar .lm-TabBar-tab[data-id="${SIDEBAR_ID}"]`).click();
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('conveyor:show-experiments'));
  const section = page.locator('#jp-conveyor-experiments');
  await expect(section).toBeVisible();
  return section;
}

const RUNS: IRunSpec[] = [
  { name: 'adam-fast', params: { lr: '0.1', optimizer: 'adam', batch: '32' }, losses: [0.9, 0.5, 0.31] },
  { name: 'adam-slow', params: { lr: '0.01', optimizer: 'adam', batch: '32' }, losses: [0.95, 0.7, 0.52] },
  { name: 'sgd', params: { lr: '0.1', optimizer: 'sgd', batch: '32' }, losses: [1.2, 0.9, 0.8] }
];

test.describe('Experiments panel', () => {
  test.beforeEach(async ({ page }) => {
    await expect
      .poll(async () => (await page.request.get(`${API}/status`)).status(), { timeout: 60_000 })
      .toBe(200);
  });

  test('lists logged runs with their metrics, filters them, and compares two with only differing params', async ({
    page
  }) => {
    const name = `galata-${Date.now().toString(36)}`;
    const { experimentId, ids } = await logExperiment(page.request, name, RUNS);

    const section = await openSection(page);
    const item = section.locator(`[data-testid="conveyor-experiment"][data-experiment-id="${experimentId}"]`);
    await expect(item).toContainText(name);
    await expect(item.getByTestId('conveyor-experiment-count')).toHaveText('3 runs');
    await item.getByRole('checkbox').check();
    await section.getByTestId('conveyor-experiments-compare').click();

    const view = page.locator('.jp-Conveyor-expWidget');
    await expect(view).toBeVisible();
    const rows = view.getByTestId('conveyor-exp-row');
    await expect(rows).toHaveCount(3);
    await expect(view.getByTestId('conveyor-exp-total')).toHaveText('3 runs');
    // Each run shows its last loss.
    const loss = (run: string) =>
      view.locator(`[data-run-id="${ids[run]}"] [data-column="metrics.loss"]`);
    await expect(loss('adam-fast')).toHaveText('0.31');
    await expect(loss('sgd')).toHaveText('0.8');

    // A malformed filter is explained inline, with its position; the rows stay.
    const filter = view.getByTestId('conveyor-exp-filter');
    await filter.fill('params.optimizer == ');
    await filter.press('Enter');
    await expect(view.getByTestId('conveyor-exp-filter-error')).toBeVisible();
    await expect(filter).toHaveAttribute('aria-invalid', 'true');

    // The MLflow grammar narrows the rows.
    await filter.fill("params.optimizer = 'adam'");
    await filter.press('Enter');
    await expect(view.getByTestId('conveyor-exp-filter-error')).toHaveCount(0);
    await expect(rows).toHaveCount(2);
    await expect(view.getByTestId('conveyor-exp-total')).toHaveText('2 runs');
    await expect(view.locator(`[data-run-id="${ids['sgd']}"]`)).toHaveCount(0);

    // Only differing params: lr differs between the two, optimizer and batch do not.
    const header = (column: string) => view.locator(`[role="columnheader"][data-column="${column}"]`);
    await expect(header('params.optimizer')).toBeVisible();
    await expect(header('params.batch')).toBeVisible();
    await view.getByTestId('conveyor-exp-only-differing').check();
    await expect(header('params.lr')).toBeVisible();
    await expect(header('params.optimizer')).toHaveCount(0);
    await expect(header('params.batch')).toHaveCount(0);
    await expect(header('metrics.loss')).toBeVisible();

    // Keyboard: focus the grid, select both runs with Space, open one with Enter.
    const grid = view.getByTestId('conveyor-exp-grid');
    await grid.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    await expect(view.getByTestId('conveyor-exp-selected')).toHaveText('2 selected');
    await expect(rows.and(page.locator('[aria-selected="true"]'))).toHaveCount(2);
    await page.keyboard.press('Enter');
    await expect(view.getByTestId('conveyor-exp-detail')).toContainText('lr');

    // Sorting by a header (a button, so Enter works too) orders the rows by loss.
    await header('metrics.loss').getByRole('button').focus();
    await page.keyboard.press('Enter');
    await expect(header('metrics.loss')).toHaveAttribute('aria-sort', 'ascending');
    await expect(rows.first()).toHaveAttribute('data-run-id', ids['adam-fast']);
    await header('metrics.loss').getByRole('button').click();
    await expect(rows.first()).toHaveAttribute('data-run-id', ids['adam-slow']);

    await view.getByTestId('conveyor-exp-tab-history').click();
    await expect(view.getByTestId('conveyor-exp-pane')).toBeVisible();

    // Grouping by a param: a header row per value with its count, its runs right under it.
    await filter.fill('');
    await filter.press('Enter');
    await expect(rows).toHaveCount(3);
    await view.getByTestId('conveyor-exp-group-by').selectOption('optimizer');
    const groups = view.getByTestId('conveyor-exp-group');
    await expect(groups).toHaveCount(2);
    await expect(groups.nth(0)).toContainText('optimizer = adam');
    await expect(groups.nth(0)).toContainText('2 runs');
    await expect(groups.nth(1)).toContainText('optimizer = sgd');
    await expect(groups.nth(1)).toContainText('1 run');
    const afterSgd = view.locator('[data-testid="conveyor-exp-group"]:has-text("sgd") + [data-testid="conveyor-exp-row"]');
    await expect(afterSgd).toHaveAttribute('data-run-id', ids['sgd']);

    // The two selected runs become candidates (tag conveyor.candidate) and compare side by side.
    await view.getByTestId('conveyor-exp-mark-candidate').click();
    await expect(view.locator(`[data-run-id="${ids['adam-fast']}"] .jp-Conveyor-expCandidate`)).toBeVisible();
    await expect(view.locator(`[data-run-id="${ids['sgd']}"] .jp-Conveyor-expCandidate`)).toHaveCount(0);
    const detail = await (await page.request.get(`${API}/experiments/runs/${ids['adam-slow']}`)).json();
    expect(detail.run.candidate).toBe(true);
    await view.getByTestId('conveyor-exp-tab-candidates').click();
    const pane = view.getByTestId('conveyor-exp-pane');
    await expect(pane).toContainText('adam-fast');
    await expect(pane).toContainText('adam-slow');
    await expect(pane).not.toContainText('sgd');
    await view.screenshot({ path: path.join(RESULTS, 'experiments-candidates-light.png') });
    await view.getByTestId('conveyor-exp-tab-history').click();

    await view.screenshot({ path: path.join(RESULTS, 'experiments-light.png') });
    await page.locator(`#${SIDEBAR_ID}`).screenshot({ path: path.join(RESULTS, 'experiments-section-light.png') });
    await page.theme.setDarkTheme();
    await view.screenshot({ path: path.join(RESULTS, 'experiments-dark.png') });
    await page.theme.setLightTheme();
  });

  test('the copied link reopens the same view: filter, only differing params, sort and selection', async ({
    page
  }) => {
    const name = `galata-link-${Date.now().toString(36)}`;
    const { experimentId, ids } = await logExperiment(page.request, name, RUNS);
    await page.evaluate(async ([id]) => {
      await (window as any).jupyterapp.commands.execute('conveyor:open-experiments', { experimentIds: [id] });
    }, [experimentId]);
    const view = page.locator('.jp-Conveyor-expWidget');
    await expect(view.getByTestId('conveyor-exp-row')).toHaveCount(3);
    const filter = view.getByTestId('conveyor-exp-filter');
    await filter.fill("params.optimizer = 'adam'");
    await filter.press('Enter');
    await expect(view.getByTestId('conveyor-exp-row')).toHaveCount(2);
    await view.getByTestId('conveyor-exp-only-differing').check();
    await view.locator(`[data-run-id="${ids['adam-slow']}"] input[type="checkbox"]`).check();
    await view.locator('[role="columnheader"][data-column="metrics.loss"]').getByRole('button').click();
    await expect(view.getByTestId('conveyor-exp-row').first()).toHaveAttribute('data-run-id', ids['adam-fast']);

    const link: string = await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('conveyor:copy-experiments-link')
    );
    expect(link).toMatch(/\/lab\?conveyor-experiments=[A-Za-z0-9_-]+$/);

    // Reload the page on the link. The view opened from it is the one in front (a view restored
    // with the layout may sit in another tab). galata's own goto waits for tabs this layout lacks.
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('application:close-all'));
    await page.evaluate(url => window.location.assign(url), link);
    const restored = page.locator('.jp-Conveyor-expWidget:visible');
    await expect(restored).toBeVisible({ timeout: 60_000 });
    await expect(restored.getByTestId('conveyor-exp-filter')).toHaveValue("params.optimizer = 'adam'");
    await expect(restored.getByTestId('conveyor-exp-row')).toHaveCount(2);
    await expect(restored.getByTestId('conveyor-exp-only-differing')).toBeChecked();
    await expect(restored.locator('[role="columnheader"][data-column="params.optimizer"]')).toHaveCount(0);
    await expect(restored.locator('[role="columnheader"][data-column="params.lr"]')).toBeVisible();
    await expect(restored.locator(`[data-run-id="${ids['adam-slow']}"]`)).toHaveAttribute('aria-selected', 'true');
    await expect(restored.locator('[role="columnheader"][data-column="metrics.loss"]')).toHaveAttribute(
      'aria-sort',
      'ascending'
    );
    await expect(restored.getByTestId('conveyor-exp-row').first()).toHaveAttribute('data-run-id', ids['adam-fast']);
    // The parameter is consumed: reloading does not open a second view.
    expect(page.url()).not.toContain('conveyor-experiments=');
  });

  test('pages rows in as the table scrolls: the end of 500 runs without fetching the middle', async ({ page }) => {
    const { experiment_id } = await mlflow(page.request, 'experiments/create', {
      name: `galata-many-${Date.now().toString(36)}`
    });
    const t0 = Date.now() - 3_600_000;
    const created: string[] = [];
    for (let i = 0; i < 500; i++) {
      const { run } = await mlflow(page.request, 'runs/create', {
        experiment_id,
        run_name: `many-${String(i).padStart(3, '0')}`,
        start_time: t0 + i * 1000
      });
      created.push(run.info.run_id);
      await mlflow(page.request, 'runs/log-batch', {
        run_id: run.info.run_id,
        params: [{ key: 'i', value: String(i) }],
        metrics: [{ key: 'score', value: i / 10, step: 0, timestamp: t0 + i }],
        tags: []
      });
    }
    const searches: number[] = [];
    page.on('request', r => {
      if (r.method() === 'POST' && r.url().includes('/experiments/search')) {
        searches.push(JSON.parse(r.postData() ?? '{}').offset ?? 0);
      }
    });
    await page.evaluate(async ([id]) => {
      await (window as any).jupyterapp.commands.execute('conveyor:open-experiments', { experimentIds: [id] });
    }, [String(experiment_id)]);
    const view = page.locator('.jp-Conveyor-expWidget');
    await expect(view.getByTestId('conveyor-exp-total')).toHaveText('500 runs');
    // Newest first: the first row is the last run created; fewer rows than runs are in the page.
    const rows = view.getByTestId('conveyor-exp-row');
    await expect(rows.first()).toHaveAttribute('data-run-id', created[499]);
    expect(await rows.count()).toBeLessThan(100);

    // End jumps to the last row: the oldest run, with its values, from the last page only.
    const grid = view.getByTestId('conveyor-exp-grid');
    await grid.focus();
    await page.keyboard.press('End');
    const last = view.locator(`[data-run-id="${created[0]}"]`);
    await expect(last).toBeVisible();
    await expect(last.locator('[data-column="metrics.score"]')).toHaveText('0');
    await expect(last.locator('[data-column="params.i"]')).toHaveText('0');
    expect(searches).toEqual([0, 400]);
  });

  test('a submitted notebook run appears as a tracked run with its params and metrics', async ({ page, tmpPath }) => {
    test.setTimeout(240_000);
    const experiment = `galata-submit-${Date.now().toString(36)}`;
    await page.contents.uploadFile(path.join(FIXTURES, 'hello_params.ipynb'), `${tmpPath}/hello_params.ipynb`);
    const submitted = await page.request.post(`${API}/runs`, {
      data: { notebook: { path: `${tmpPath}/hello_params.ipynb` }, experiment, params: { epochs: 3 } }
    });
    expect(submitted.status(), await submitted.text()).toBe(201);
    const run = await submitted.json();
    await expect
      .poll(async () => (await (await page.request.get(`${API}/runs/${run.id}`)).json()).status, {
        timeout: 180_000
      })
      .toBe('succeeded');

    const section = await openSection(page);
    const item = section.locator('[data-testid="conveyor-experiment"]', { hasText: experiment });
    await expect(item.getByTestId('conveyor-experiment-count')).toHaveText('1 run');
    await item.dblclick();
    const view = page.locator('.jp-Conveyor-expWidget:visible');
    const row = view.getByTestId('conveyor-exp-row');
    await expect(row).toHaveCount(1);
    await expect(row.locator('[data-column="params.epochs"]')).toHaveText('3');
    await expect(row.locator('[data-column="attributes.status"]')).toHaveText('finished');
    // Conveyor's own metrics are not shown by default; the column picker adds one.
    await view.getByTestId('conveyor-exp-columns').locator('summary').click();
    await view.getByRole('checkbox', { name: 'conveyor.duration_seconds', exact: true }).check();
    await expect(row.locator('[data-column="metrics.conveyor.duration_seconds"]')).toHaveText(/^\d+(\.\d+)?$/);
    // Enter opens the run: its lineage names the Conveyor run and step.
    await view.getByTestId('conveyor-exp-grid').focus();
    await page.keyboard.press('Enter');
    const detail = view.getByTestId('conveyor-exp-detail');
    await expect(detail).toContainText(run.id);
  });
});
