import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { APIRequestContext, Locator } from '@playwright/test';
import * as path from 'path';

/**
 * The comparison visuals of the Experiments view against the real companion: 40 runs logged
 * through Conveyor's MLflow REST API, then drawn as parallel coordinates (brushed with the
 * mouse), a scatter plot (picked with the keyboard), metric histories and candidates.
 */
const RESULTS = path.join(__dirname, '..', 'test-results');
const API = '/conveyor/api/v1';
const MLFLOW = '/conveyor/mlflow/api/2.0/mlflow';
const RUNS = 40;
const STEPS = 300;

test.use({ autoGoto: true, actionTimeout: 30_000, viewport: { width: 1600, height: 1100 } });
test.setTimeout(240_000);

async function mlflow(request: APIRequestContext, endpoint: string, data: unknown): Promise<any> {
  const response = await request.post(`${MLFLOW}/${endpoint}`, { data });
  expect(response.status(), `${endpoint}: ${await response.text()}`).toBe(200);
  return response.json();
}

/** Run i: lr = (i+1) × 0.0025, optimizer cycling over three, a 300-step loss curve. */
async function logRuns(request: APIRequestContext, name: string): Promise<{ experimentId: string; ids: string[] }> {
  const { experiment_id } = await mlflow(request, 'experiments/create', { name });
  const ids: string[] = [];
  const t0 = Date.now() - 3_600_000;
  for (let i = 0; i < RUNS; i++) {
    const lr = (i + 1) * 0.0025;
    const { run } = await mlflow(request, 'runs/create', {
      experiment_id,
      run_name: `run-${String(i).padStart(2, '0')}`,
      start_time: t0 + i * 1000
    });
    const runId: string = run.info.run_id;
    ids.push(runId);
    const metrics = Array.from({ length: STEPS }, (_, step) => ({
      key: 'loss',
      value: 2 * Math.exp(-step * lr * 0.2) + 0.05 * Math.sin(step / 3) + 0.1,
      step,
      timestamp: t0 + i * 1000 + step
    }));
    metrics.push({ key: 'accuracy', value: 0.5 + lr * 4, step: STEPS, timestamp: t0 + i * 1000 + STEPS });
    await mlflow(request, 'runs/log-batch', {
      run_id: runId,
      params: [
        { key: 'lr', value: String(lr) },
        { key: 'optimizer', value: ['adam', 'sgd', 'rmsprop'][i % 3] }
      ],
      metrics,
      tags: []
    });
    await mlflow(request, 'runs/update', { run_id: runId, status: 'FINISHED', end_time: t0 + i * 1000 + 900 });
  }
  return { experimentId: String(experiment_id), ids };
}

async function openView(page: IJupyterLabPageFixture, experimentId: string): Promise<Locator> {
  await page.waitForFunction(() => (window as any).jupyterapp?.commands.hasCommand('conveyor:open-experiments'));
  await page.evaluate(
    async ([id]) => {
      // The command answers the widget, which cannot cross back to the test.
      await (window as any).jupyterapp.commands.execute('conveyor:open-experiments', { experimentIds: [id] });
    },
    [experimentId]
  );
  const view = page.locator('.jp-Conveyor-expWidget');
  await expect(view.getByTestId('conveyor-exp-total')).toHaveText(`${RUNS} runs`);
  return view;
}

/** Select the first two rows of the grid with the keyboard (rows are virtualised). */
async function selectFirstRows(page: IJupyterLabPageFixture, view: Locator): Promise<void> {
  await view.getByTestId('conveyor-exp-grid').focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  await expect(view.getByTestId('conveyor-exp-selected')).toHaveText('2 selected');
}

async function shoot(page: IJupyterLabPageFixture, target: Locator, name: string): Promise<void> {
  await target.screenshot({ path: path.join(RESULTS, `${name}-light.png`) });
  await page.theme.setDarkTheme();
  await target.screenshot({ path: path.join(RESULTS, `${name}-dark.png`) });
  await page.theme.setLightTheme();
}

test.describe('Experiments comparison charts', () => {
  let experimentId = '';
  let ids: string[] = [];

  test.beforeEach(async ({ page }) => {
    await expect
      .poll(async () => (await page.request.get(`${API}/status`)).status(), { timeout: 60_000 })
      .toBe(200);
    if (!experimentId) {
      ({ experimentId, ids } = await logRuns(page.request, `galata-charts-${Date.now().toString(36)}`));
    }
  });

  test('parallel coordinates draw every run and a mouse brush on lr selects the upper half', async ({ page }) => {
    const view = await openView(page, experimentId);
    await view.getByTestId('conveyor-exp-tab-parallel').click();
    const chart = view.getByTestId('conveyor-parallel');
    await expect(chart.getByTestId('conveyor-parallel-canvas')).toHaveAttribute('data-selected', String(RUNS));
    const labels = await chart.getByTestId('conveyor-parallel-axis').evaluateAll(axes =>
      axes.map(a => a.getAttribute('data-label'))
    );
    expect(labels).toEqual(expect.arrayContaining(['lr', 'optimizer']));
    await expect(chart.getByTestId('conveyor-parallel-count')).toHaveText(`${RUNS} runs; drag on an axis to filter`);
    await shoot(page, chart, 'experiments-parallel');

    // Drag on the lr axis from its middle to above its top: lr ≥ midpoint = runs 20..39.
    const target = chart.locator('[data-label="lr"] [data-testid="conveyor-parallel-brush-target"]');
    const box = (await target.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 4, { steps: 4 });
    await page.mouse.move(box.x + box.width / 2, box.y - 20, { steps: 4 });
    await page.mouse.up();
    await expect(chart.getByTestId('conveyor-parallel-brush')).toHaveCount(1);
    await expect(chart.getByTestId('conveyor-parallel-count')).toHaveText(`${RUNS / 2} of ${RUNS} runs selected`);
    await expect(chart.getByTestId('conveyor-parallel-canvas')).toHaveAttribute('data-selected', String(RUNS / 2));
    // The brush selects those runs in the table.
    await expect(view.getByTestId('conveyor-exp-selected')).toHaveText(`${RUNS / 2} selected`);
    await shoot(page, chart, 'experiments-parallel-brushed');

    // Escape on the focused axis clears the filter.
    await chart.locator('[data-testid="conveyor-parallel-axis"][data-label="lr"]').focus();
    await page.keyboard.press('Escape');
    await expect(chart.getByTestId('conveyor-parallel-count')).toHaveText(`${RUNS} runs; drag on an axis to filter`);
    await expect(view.getByTestId('conveyor-exp-selected')).toHaveText('');
  });

  test('the scatter plot draws every run, names the hovered one and picks it with Enter', async ({ page }) => {
    const view = await openView(page, experimentId);
    await view.getByTestId('conveyor-exp-tab-scatter').click();
    const chart = view.getByTestId('conveyor-scatter');
    await expect(chart.getByTestId('conveyor-scatter-canvas')).toHaveAttribute('data-points', String(RUNS));
    await view.getByTestId('conveyor-exp-scatter-x').selectOption('params.lr');
    await view.getByTestId('conveyor-exp-scatter-y').selectOption('metrics.accuracy');
    await expect(chart.getByTestId('conveyor-scatter-canvas')).toHaveAttribute('data-points', String(RUNS));

    await shoot(page, chart, 'experiments-scatter');

    // The smallest lr is the leftmost point: run-00.
    await chart.scrollIntoViewIfNeeded();
    await chart.locator('svg[role="img"]').focus();
    await page.keyboard.press('ArrowRight');
    const tooltip = chart.getByTestId('conveyor-scatter-tooltip');
    await expect(tooltip).toContainText('run-00');
    await expect(tooltip).toContainText('lr: 0.0025');

    // The mouse finds the same point where the keyboard cursor is drawn, and a click picks it.
    const ring = chart.locator('.jp-Conveyor-chartHover');
    const at = (await ring.boundingBox())!;
    await page.keyboard.press('Escape');
    await expect(tooltip).toHaveCount(0);
    await page.mouse.move(at.x + at.width / 2, at.y + at.height / 2);
    await expect(tooltip).toContainText('run-00');
    await page.mouse.click(at.x + at.width / 2, at.y + at.height / 2);
    await expect(view.getByTestId('conveyor-exp-tab-run')).toHaveAttribute('aria-selected', 'true');
    await expect(view.getByTestId('conveyor-exp-pane')).toContainText(ids[0]);
  });

  test('metric history draws the selected runs, tooltips exact values, switches to log scale', async ({ page }) => {
    const view = await openView(page, experimentId);
    await selectFirstRows(page, view);
    await view.getByTestId('conveyor-exp-tab-history').click();
    await view.getByTestId('conveyor-exp-history-metric').selectOption('loss');
    const chart = view.getByTestId('conveyor-history-chart');
    await expect(chart.locator('path.jp-Conveyor-historyLine')).toHaveCount(2);
    await chart.locator('svg[role="img"]').focus();
    await page.keyboard.press('End');
    await expect(chart.getByTestId('conveyor-history-tooltip')).toContainText(`step ${STEPS - 1}`);
    await shoot(page, chart, 'experiments-history');
    const before = await chart.locator('path.jp-Conveyor-historyLine').first().getAttribute('d');
    await chart.getByTestId('conveyor-history-log').check();
    await expect(chart.locator('path.jp-Conveyor-historyLine').first()).not.toHaveAttribute('d', before!);
  });

  test('candidates are compared side by side with the differing rows and the best loss marked', async ({ page }) => {
    const view = await openView(page, experimentId);
    await selectFirstRows(page, view);
    await view.getByTestId('conveyor-exp-mark-candidate').click();
    await view.getByTestId('conveyor-exp-tab-candidates').click();
    const table = view.getByTestId('conveyor-candidates');
    await expect(table).toBeVisible();
    const row = (key: string) => table.locator(`[data-testid="conveyor-candidates-row"][data-key="${key}"]`);
    await expect(row('lr')).toHaveAttribute('data-differs', 'true');
    await expect(row('experiment')).toHaveAttribute('data-differs', 'false');
    // The run with the larger lr ends with both the lower loss and the higher accuracy.
    await expect(row('loss').locator('td[data-best="true"]')).toHaveCount(1);
    await expect(row('accuracy').locator('td[data-best="true"]')).toHaveCount(1);
    const bestColumn = (key: string) =>
      row(key).locator('td').evaluateAll(cells => cells.findIndex(c => c.getAttribute('data-best') === 'true'));
    expect(await bestColumn('loss')).toBe(await bestColumn('accuracy'));
    await shoot(page, table, 'experiments-candidates');
    await table.getByTestId('conveyor-candidates-only-differing').check();
    await expect(row('experiment')).toHaveCount(0);
    await expect(row('lr')).toBeVisible();
  });
});
