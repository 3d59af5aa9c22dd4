import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import * as path from 'path';

/**
 * Notebooks as pipeline steps, end to end: the real companion runs them in real containers.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures');
const RESULTS = path.join(__dirname, '..', 'test-results');
const RUN_TIMEOUT = 90_000;

test.use({ autoGoto: true });
test.setTimeout(240_000);

async function submitFromFileBrowser(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  fixture: string
): Promise<Locator> {
  await page.contents.uploadFile(path.join(FIXTURES, fixture), `${tmpPath}/${fixture}`);
  await page.filebrowser.openDirectory(tmpPath);
  const item = page.locator('.jp-DirListing-item[data-file-type="notebook"]', {
    hasText: fixture
  });
  await item.click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Submit to training…' }).click();
  const dialog = page.locator('.jp-Conveyor-submitDialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('conveyor-submit-path')).toHaveText(`${tmpPath}/${fixture}`);
  await expect(dialog.getByLabel('Image')).toHaveValue('conveyor/base:dev');
  return dialog;
}

/** The run's row in the Runs section, once the submit selected it. */
async function selectedRunRow(page: IJupyterLabPageFixture): Promise<Locator> {
  const row = page.locator('[data-testid="conveyor-run-row"].jp-mod-selected');
  await expect(row).toBeVisible();
  return row;
}

test.describe('Notebook runs', () => {
  test.beforeEach(async ({ page }) => {
    // The companion starts with Jupyter; wait until it answers before submitting.
    await expect
      .poll(async () => (await page.request.get('/conveyor/api/v1/status')).status(), {
        timeout: 60_000
      })
      .toBe(200);
  });

  test('submits a notebook with a changed parameter, follows it to success, shows its log and executed notebook', async ({
    page,
    tmpPath
  }) => {
    const dialog = await submitFromFileBrowser(page, tmpPath, 'hello_params.ipynb');
    // Parameters come pre-filled from the cell tagged `parameters`, one typed input each.
    const epochs = dialog.locator('[data-param="epochs"]');
    await expect(epochs).toHaveValue('2');
    await expect(epochs).toHaveAttribute('type', 'number');
    await expect(dialog.locator('[data-param="greeting"]')).toHaveValue('hello');
    await expect(dialog.locator('[data-param="verbose"]')).toBeChecked();
    // An invalid value is flagged before submitting and blocks the submit.
    await dialog.locator('[data-param="epochs"]').fill('2.5');
    await expect(dialog.getByText('Enter a whole number')).toBeVisible();
    await expect(dialog.locator('.jp-Dialog-button.jp-mod-accept')).toBeDisabled();
    await epochs.fill('7');
    await expect(dialog.locator('.jp-Dialog-button.jp-mod-accept')).toBeEnabled();
    await expect(dialog.getByText('Enter a whole number')).toHaveCount(0);
    await page.screenshot({ path: path.join(RESULTS, 'runs-submit-dialog.png') });
    await epochs.press('Enter');
    await expect(dialog).toHaveCount(0);

    const row = await selectedRunRow(page);
    await expect(row).toContainText(/hello.params/);
    await expect(row).toHaveAttribute('data-status', 'succeeded', { timeout: RUN_TIMEOUT });
    await expect(row.getByTestId('conveyor-status-pill')).toHaveText(/Succeeded/);

    await row.click();
    const view = page.locator('.jp-Conveyor-runView:visible');
    await expect(view.getByTestId('conveyor-run-name')).toContainText(/hello.params/);
    await expect(view.locator('.jp-Conveyor-dagNode[data-status="succeeded"]')).toHaveCount(1);
    await expect(view.getByTestId('conveyor-step-log')).toContainText(
      'hello from conveyor: epochs=7 rate=0.5',
      { timeout: 30_000 }
    );
    await expect(view.getByTestId('conveyor-run-cancel')).toBeDisabled();
    await expect(view.getByTestId('conveyor-run-rerun')).toBeEnabled();
    await page.screenshot({ path: path.join(RESULTS, 'runs-view-succeeded.png') });

    await view.getByTestId('conveyor-open-executed').click();
    const notebook = page.locator('.jp-NotebookPanel:visible');
    await expect(notebook.locator('.jp-OutputArea-output').first()).toContainText(
      'hello from conveyor: epochs=7 rate=0.5'
    );
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')).toContainText(
      /hello.params\.ipynb/
    );
  });

  test('shows the failing cell and its error for a notebook that raises', async ({
    page,
    tmpPath
  }) => {
    const dialog = await submitFromFileBrowser(page, tmpPath, 'failing.ipynb');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(dialog).toHaveCount(0);

    const row = await selectedRunRow(page);
    await expect(row).toHaveAttribute('data-status', 'failed', { timeout: RUN_TIMEOUT });
    // Keyboard: the list holds the focus, Enter opens the selected run.
    await page.getByTestId('conveyor-runs-list').focus();
    await page.keyboard.press('Enter');
    const view = page.locator('.jp-Conveyor-runView:visible');
    await expect(view).toBeVisible();
    const error = view.getByTestId('conveyor-step-error');
    await expect(error).toContainText('ValueError: conveyor galata boom');
    await expect(error).toContainText('Cell 2');
    await expect(view.getByTestId('conveyor-step-log')).toContainText('about to fail');
    await expect(view.getByTestId('conveyor-run-resume')).toBeEnabled();
    await page.screenshot({ path: path.join(RESULTS, 'runs-view-failed.png') });
  });
});
