import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import * as path from 'path';

/**
 * The visual pipeline editor, end to end: notebooks dragged from the file browser become steps,
 * an output is wired to an input, the file is saved as conveyor/v1 YAML, run by the real
 * companion in real containers (the base image), and the step statuses appear on the canvas.
 */
const RESULTS = path.join(__dirname, '..', 'test-results');
const RUN_TIMEOUT = 60_000;

test.use({ autoGoto: true, screenshot: 'only-on-failure' });
test.setTimeout(120_000);

function notebook(source: string): string {
  return JSON.stringify({
    cells: [{ cell_type: 'code', execution_count: null, id: 'main', metadata: {}, outputs: [], source }],
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
    nbformat: 4,
    nbformat_minor: 5
  });
}

/** A pointer drag in small steps (Lumino drags and React Flow connections both follow it). */
async function drag(page: IJupyterLabPageFixture, from: Locator, to: Locator, at = { x: 0.5, y: 0.5 }): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 12, a.y + a.height / 2 + 6, { steps: 4 });
  await page.mouse.move(b.x + b.width * at.x, b.y + b.height * at.y, { steps: 12 });
  await page.mouse.up();
}

test.describe('Pipeline editor', () => {
  test.beforeEach(async ({ page }) => {
    await expect
      .poll(async () => (await page.request.get('/conveyor/api/v1/status')).status(), { timeout: 60_000 })
      .toBe(200);
  });

  test('builds a two-step pipeline by drag and drop, wires it, runs it and shows the statuses on the canvas', async ({
    page,
    tmpPath
  }) => {
    await page.contents.uploadContent(notebook('open("data.txt", "w").write("42")'), 'text', `${tmpPath}/make.ipynb`);
    await page.contents.uploadContent(
      notebook('print("got", open("inputs/data.txt").read())'),
      'text',
      `${tmpPath}/use.ipynb`
    );
    await page.contents.uploadContent('', 'text', `${tmpPath}/demo.pipeline.yaml`);
    await page.filebrowser.openDirectory(tmpPath);
    await page.locator('.jp-DirListing-item', { hasText: 'demo.pipeline.yaml' }).dblclick();

    const editor = page.locator('.jp-Conveyor-pipelineEditorWidget:visible');
    const canvas = editor.getByTestId('conveyor-pe-canvas');
    await expect(canvas).toBeVisible();
    await expect(canvas.getByText('Drag notebooks from the file browser')).toBeVisible();

    // Two notebooks from the file browser become two steps where they are dropped.
    await drag(page, page.locator('.jp-DirListing-item', { hasText: 'make.ipynb' }), canvas, { x: 0.08, y: 0.15 });
    const make = canvas.locator('.jp-Conveyor-peNode[data-step="make"]');
    await expect(make).toBeVisible();
    await drag(page, page.locator('.jp-DirListing-item', { hasText: 'use.ipynb' }), canvas, { x: 0.5, y: 0.65 });
    const use = canvas.locator('.jp-Conveyor-peNode[data-step="use"]');
    await expect(use).toBeVisible();

    // The properties form of the selected step: declaring an output adds an output port.
    await make.click();
    await editor.getByTestId('conveyor-pe-outputs').fill('data.txt');
    const output = canvas.locator('.react-flow__node[data-id="make"] .react-flow__handle[data-handleid="data.txt"]');
    await expect(output).toBeVisible();

    // Wire make.data.txt into a new input of use.
    await page.screenshot({ path: path.join(RESULTS, 'pipeline-editor-before-wire.png') });
    await drag(page, output, canvas.locator('.react-flow__node[data-id="use"] .react-flow__handle[data-handleid="+"]'));
    await expect(canvas.locator('.react-flow__edge')).toHaveCount(1);
    await expect(use.getByText('data.txt')).toBeVisible();
    // The server validates the pipeline as it is edited.
    await expect(editor.getByTestId('conveyor-pe-validity')).toHaveText(/Valid pipeline/, { timeout: 20_000 });
    await page.screenshot({ path: path.join(RESULTS, 'pipeline-editor-wired.png') });

    // Undo removes the edge, redo brings it back.
    await canvas.focus();
    await page.keyboard.press('Control+z');
    await expect(canvas.locator('.react-flow__edge')).toHaveCount(0);
    await page.keyboard.press('Control+Shift+z');
    await expect(canvas.locator('.react-flow__edge')).toHaveCount(1);

    // Run saves the file and submits it; both steps end succeeded, shown on their nodes.
    await editor.locator('.jp-Toolbar-item[data-jp-item-name="conveyor-run"] button').click();
    await expect(editor.getByTestId('conveyor-pe-run-status')).toBeVisible();
    await expect(make).toHaveAttribute('data-status', 'succeeded', { timeout: RUN_TIMEOUT });
    await expect(use).toHaveAttribute('data-status', 'succeeded', { timeout: RUN_TIMEOUT });
    await expect(use.getByTestId('conveyor-pe-status')).toHaveText(/Succeeded/);

    // The saved file is readable conveyor/v1 YAML with the positions under layout.
    const file = await page.request.get(`/api/contents/${tmpPath}/demo.pipeline.yaml?content=1&type=file&format=text`);
    const text = ((await file.json()) as { content: string }).content;
    expect(text).toContain('apiVersion: conveyor/v1');
    expect(text).toContain('  - name: make\n    notebook: make.ipynb\n    outputs: [ data.txt ]\n');
    expect(text).toContain('  - name: use\n    notebook: use.ipynb\n    inputs: { data.txt: make.data.txt }\n');
    expect(text).toMatch(/\nlayout:\n {2}make: \{ x: -?\d+, y: -?\d+ \}\n {2}use: /);

    // Clicking a step opens its log and outputs.
    await page.screenshot({ path: path.join(RESULTS, 'pipeline-editor-succeeded.png') });
    await use.click();
    const drawer = editor.getByTestId('conveyor-pe-drawer');
    await expect(drawer.getByTestId('conveyor-step-log')).toContainText('got 42', { timeout: 20_000 });
    await make.click();
    await expect(drawer.getByRole('link', { name: 'data.txt' })).toBeVisible();
    await page.screenshot({ path: path.join(RESULTS, 'pipeline-editor-run.png') });

    // Reopened, the editor shows the last run of the file.
    await page.evaluate(async () => {
      await (window as any).jupyterapp.commands.execute('application:close-all');
    });
    await page.locator('.jp-DirListing-item', { hasText: 'demo.pipeline.yaml' }).dblclick();
    await expect(canvas.locator('.jp-Conveyor-peNode[data-step="use"]')).toHaveAttribute('data-status', 'succeeded');
  });
});
