import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import * as path from 'path';

/**
 * The Components section and templates with the pipeline editor: find a built-in component,
 * read its typed ports, drag it onto a pipeline, see an incompatible edge refused with the
 * reason, and start a pipeline from a template. Nothing runs (no heavy images needed).
 */
const RESULTS = path.join(__dirname, '..', 'test-results');
const SIDEBAR_ID = 'jp-conveyor-sidebar';

test.use({ autoGoto: true, screenshot: 'only-on-failure' });
test.setTimeout(90_000);

async function drag(page: IJupyterLabPageFixture, from: Locator, to: Locator, at = { x: 0.5, y: 0.5 }): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 12, a.y + a.height / 2 + 6, { steps: 4 });
  await page.mouse.move(b.x + b.width * at.x, b.y + b.height * at.y, { steps: 12 });
  await page.mouse.up();
}

async function openComponents(page: IJupyterLabPageFixture): Promise<Locator> {
  await page.locator(`.jp-SideBar .lm-TabBar-tab[data-id="${SIDEBAR_ID}"]`).click();
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('conveyor:show-components'));
  const section = page.locator('#jp-conveyor-components');
  await expect(section).toBeVisible();
  // Collapse the other sections so the catalog has room.
  const titles = page.locator(`#${SIDEBAR_ID} .lm-AccordionPanel-title`);
  for (const title of await titles.all()) {
    const expanded = (await title.getAttribute('aria-expanded')) === 'true';
    if (expanded !== (await title.innerText()).toLowerCase().includes('components')) {
      await title.click();
    }
  }
  return section;
}

test.describe('Components and templates', () => {
  test.beforeEach(async ({ page }) => {
    await expect
      .poll(async () => (await page.request.get('/conveyor/api/v1/status')).status(), { timeout: 60_000 })
      .toBe(200);
  });

  test('drags built-in components onto a pipeline and refuses an edge whose types do not fit', async ({
    page,
    tmpPath
  }) => {
    await page.contents.uploadContent('', 'text', `${tmpPath}/flow.pipeline.yaml`);
    await page.filebrowser.openDirectory(tmpPath);
    await page.locator('.jp-DirListing-item', { hasText: 'flow.pipeline.yaml' }).dblclick();
    const editor = page.locator('.jp-Conveyor-pipelineEditorWidget:visible');
    const canvas = editor.getByTestId('conveyor-pe-canvas');
    await expect(canvas).toBeVisible();

    const section = await openComponents(page);
    // Search and tag filter.
    await section.getByTestId('conveyor-components-search').fill('sklearn');
    const rows = section.getByTestId('conveyor-component');
    await expect(rows.filter({ hasText: 'train-sklearn' })).toHaveCount(1);
    await expect(rows.filter({ hasText: 'split-table' })).toHaveCount(0);
    await section.getByTestId('conveyor-components-search').fill('');
    await section.getByTestId('conveyor-components-tag').selectOption('training');
    await expect(rows.filter({ hasText: 'validate-table' })).toHaveCount(0);
    await section.getByTestId('conveyor-components-tag').selectOption('');

    // Details: typed inputs and outputs, parameters with ranges and defaults.
    const train = rows.filter({ hasText: 'train-sklearn' });
    await train.getByRole('button').first().press('Enter');
    const details = train.getByTestId('conveyor-component-details');
    await expect(details).toContainText('model.pkl');
    await expect(details).toContainText('n_estimators');
    await expect(details).toContainText('integer, 1–5000, default 100');
    await page.screenshot({ path: path.join(RESULTS, 'components-details.png') });

    // "Insert into pipeline" adds the step to the open editor.
    await details.getByTestId('conveyor-component-insert').click();
    await expect(canvas.locator('.jp-Conveyor-peNode[data-step="train-sklearn"]')).toBeVisible();

    // Drag another component onto the canvas.
    const evalRow = rows.filter({ hasText: 'evaluate-sklearn' }).getByRole('button').first();
    await evalRow.scrollIntoViewIfNeeded();
    await drag(page, evalRow, canvas, { x: 0.6, y: 0.7 });
    const evaluate = canvas.locator('.jp-Conveyor-peNode[data-step="evaluate-sklearn"]');
    await expect(evaluate).toBeVisible();

    // model.pkl (a model) into test (a dataset) is refused, with the reason.
    const output = canvas.locator('.react-flow__node[data-id="train-sklearn"] .react-flow__handle[data-handleid="model.pkl"]');
    const node = (step: string, handle: string) =>
      canvas.locator(`.react-flow__node[data-id="${step}"] .react-flow__handle[data-handleid="${handle}"]`);
    await expect(node('evaluate-sklearn', 'test')).toBeVisible();
    await drag(page, output, node('evaluate-sklearn', 'test'));
    await expect(editor.getByTestId('conveyor-pe-message')).toContainText(
      'train-sklearn.model.pkl is a model; input test of evaluate-sklearn takes a dataset'
    );
    await expect(canvas.locator('.react-flow__edge')).toHaveCount(0);
    await drag(page, output, node('evaluate-sklearn', 'model'));
    await expect(canvas.locator('.react-flow__edge')).toHaveCount(1);

    // Parameters of a component step are typed fields in the properties form.
    await canvas.locator('.jp-Conveyor-peNode[data-step="train-sklearn"]').click();
    const properties = editor.getByTestId('conveyor-pe-properties');
    await expect(properties.getByLabel('n_estimators')).toHaveAttribute('placeholder', '100');
    await page.screenshot({ path: path.join(RESULTS, 'components-editor.png') });
  });

  test('creates a pipeline from a template and opens it in the editor', async ({ page, tmpPath }) => {
    await page.filebrowser.openDirectory(tmpPath);
    // From the launcher (it opens in the file browser's folder).
    await page.evaluate(async () => {
      await (window as any).jupyterapp.commands.execute('launcher:create');
    });
    await page.locator('.jp-LauncherCard:visible', { hasText: 'Pipeline from Template' }).click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.getByText('Train → evaluate → register').click();
    await expect(dialog.getByTestId('conveyor-template-path')).toHaveValue(`${tmpPath}/train-evaluate-register.pipeline.yaml`);
    await expect(dialog.getByLabel('train', { exact: true })).toHaveValue('train-sklearn@1.0.0');
    await page.screenshot({ path: path.join(RESULTS, 'pipeline-template-dialog.png') });
    await dialog.getByRole('button', { name: 'Create' }).click();
    const editor = page.locator('.jp-Conveyor-pipelineEditorWidget:visible');
    const canvas = editor.getByTestId('conveyor-pe-canvas');
    for (const step of ['validate', 'split', 'train', 'evaluate', 'register']) {
      await expect(canvas.locator(`.jp-Conveyor-peNode[data-step="${step}"]`)).toBeVisible();
    }
    await expect(canvas.locator('.react-flow__edge')).toHaveCount(6);
    await page.screenshot({ path: path.join(RESULTS, 'pipeline-template-editor.png') });
    await page.theme.setDarkTheme();
    await page.screenshot({ path: path.join(RESULTS, 'pipeline-template-editor-dark.png') });
    await page.theme.setLightTheme();
  });
});
