import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as path from 'path';

/**
 * The Datasets panel against the real companion: register a folder from the file browser's
 * context menu, change a file, register it again, see the two versions, tag one, diff them,
 * open one and blind it.
 */
const RESULTS = path.join(__dirname, '..', 'test-results');
const API = '/conveyor/api/v1';

test.use({ autoGoto: true });
test.setTimeout(60_000);

/** Right-click the folder `data` in the file browser and register it as a version of `name`. */
async function registerFolder(page: IJupyterLabPageFixture, name: string, message: string) {
  await page.sidebar.openTab('filebrowser');
  await page.locator('.jp-DirListing-item[data-isdir="true"]', { hasText: 'data' }).click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Register as Dataset Version…' }).click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.getByTestId('conveyor-dataset-register-path')).toHaveText(/\/data$/);
  await dialog.getByLabel('Dataset').fill(name);
  await dialog.getByLabel('Message').fill(message);
  await dialog.getByRole('button', { name: 'Register' }).click();
  await expect(dialog).toHaveCount(0);
}

test('register a folder from the file browser twice, see two versions and diff them', async ({ page, tmpPath }) => {
  await expect
    .poll(async () => (await page.request.get(`${API}/status`)).status(), { timeout: 30_000 })
    .toBe(200);
  const name = `galata-${Math.random().toString(36).slice(2, 8)}`;
  await page.contents.uploadContent('one\n', 'text', `${tmpPath}/data/a.txt`);
  await page.contents.uploadContent('two\n', 'text', `${tmpPath}/data/b.txt`);
  await page.filebrowser.openDirectory(tmpPath);

  // First version, from the context menu; the section opens on the dataset.
  await registerFolder(page, name, 'First cut');
  const section = page.locator('#jp-conveyor-datasets');
  await expect(section).toBeVisible();
  const dataset = section.locator(`[data-testid="conveyor-dataset"][data-dataset$="/${name}"]`);
  const versions = dataset.getByTestId('conveyor-dataset-version');
  await expect(versions).toHaveCount(1);
  await expect(versions.first()).toContainText('First cut');
  await expect(versions.first()).toContainText('2 files');

  // Change a file, add one, register again.
  await page.contents.uploadContent('ONE\n', 'text', `${tmpPath}/data/a.txt`);
  await page.contents.uploadContent('three\n', 'text', `${tmpPath}/data/c.txt`);
  await registerFolder(page, name, 'Second cut');
  await expect(versions).toHaveCount(2);
  await expect(versions.nth(0)).toContainText('Second cut');
  await expect(versions.nth(0)).toContainText('3 files');
  await expect(versions.nth(1)).toContainText('First cut');

  // The API holds the same two versions the panel shows.
  const owner = (await (await page.request.get(`${API}/status`)).json()).user.name;
  const detail = await (await page.request.get(`${API}/datasets/${owner}/${name}`)).json();
  expect(detail.versions.map((v: any) => v.message)).toEqual(['Second cut', 'First cut']);

  // Tag the newer version from its row.
  await versions.nth(0).getByRole('button', { name: /^Tag version/ }).click();
  await page.locator('.jp-Dialog input').fill('prod');
  await page.locator('.jp-Dialog').getByRole('button', { name: 'Tag' }).click();
  await expect(versions.nth(0).getByTestId('conveyor-dataset-tag')).toHaveText(['prod']);
  await section.screenshot({ path: path.join(RESULTS, 'datasets-section.png') });

  // Diff them: a.txt changed, c.txt added, b.txt unchanged.
  const diffButton = section.getByTestId('conveyor-dataset-diff');
  await expect(diffButton).toBeDisabled();
  await versions.nth(0).getByTestId('conveyor-dataset-pick').check();
  await versions.nth(1).getByTestId('conveyor-dataset-pick').check();
  await diffButton.click();
  const diff = page.getByTestId('conveyor-dataset-diff-view');
  await expect(diff.getByTestId('conveyor-dataset-diff-summary')).toHaveText(
    'Files: 1 added, 0 removed, 1 changed, 1 unchanged'
  );
  await expect(diff.getByTestId('conveyor-dataset-diff-added').locator('li')).toHaveText(['+ c.txt']);
  await expect(diff.getByTestId('conveyor-dataset-diff-changed').locator('li')).toHaveText(['~ a.txt']);
  await page.screenshot({ path: path.join(RESULTS, 'datasets-diff.png') });

  // The newer version's files in the main area.
  await versions.nth(0).getByTestId('conveyor-dataset-open').click();
  const files = page.getByTestId('conveyor-dataset-files');
  await expect(files.locator('tbody tr')).toHaveCount(3);
  await expect(files.locator('tr[data-path="a.txt"]')).toContainText('4 B');
  // Its download link answers the file's bytes.
  const href = await files.locator('tr[data-path="a.txt"] a').getAttribute('href');
  expect(await (await page.request.get(href!)).text()).toBe('ONE\n');
  await page.screenshot({ path: path.join(RESULTS, 'datasets-version.png') });

  // Blind it: the files are gone from the view, the server refuses them, the row shows the lock.
  await page.getByTestId('conveyor-dataset-blind').click();
  await page.locator('.jp-Dialog').getByRole('button', { name: 'Blind' }).click();
  await expect(page.getByTestId('conveyor-dataset-blinded-note')).toBeVisible();
  await expect(files).toHaveCount(0);
  await expect(versions.nth(0).getByTestId('conveyor-dataset-blinded')).toBeVisible();
  await expect(versions.nth(0).getByTestId('conveyor-dataset-pick')).toBeDisabled();
  const id = await versions.nth(0).getAttribute('data-version');
  const refused = await page.request.get(`${API}/datasets/${owner}/${name}/versions/${id}/files`);
  expect(refused.status()).toBe(403);
});
