import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as path from 'path';

/**
 * The Images section against the real registry (127.0.0.1:5000, where setup pushes shared/base)
 * and the real Docker engine.
 */
const RESULTS = path.join(__dirname, '..', 'test-results');
const SIDEBAR_ID = 'jp-conveyor-sidebar';
const API = '/conveyor/api/v1';

test.use({ autoGoto: true });
test.setTimeout(180_000);

async function openImages(page: IJupyterLabPageFixture) {
  await page.locator(`.jp-SideBar .lm-TabBar-tab[data-id="${SIDEBAR_ID}"]`).click();
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('conveyor:open-images'));
  const section = page.locator('#jp-conveyor-images');
  await expect(section).toBeVisible();
  return section;
}

const random = () => Math.random().toString(36).slice(2, 8).padEnd(6, '0');

test.describe('Images section', () => {
  let initialDefault = '';

  test.beforeEach(async ({ page }) => {
    await expect
      .poll(async () => (await page.request.get(`${API}/status`)).status(), { timeout: 60_000 })
      .toBe(200);
    initialDefault = (await (await page.request.get(`${API}/images/default`)).json()).ref;
  });

  test.afterEach(async ({ page }) => {
    // Later tests submit with the default image: put it back.
    await page.request.put(`${API}/images/default`, { data: { ref: initialDefault } });
  });

  test('lists the registry’s shared/base tag with its size, build id, digest and package lists', async ({
    page
  }) => {
    const images = await (await page.request.get(`${API}/images`)).json();
    const base = images.find((i: any) => i.source === 'registry' && i.repository === 'shared/base');
    expect(base, 'setup pushes shared/base to the registry').toBeTruthy();

    const section = await openImages(page);
    const shared = section.locator('[data-testid="conveyor-image-group"][data-group="shared"]');
    await expect(shared).toBeVisible();
    const row = shared.locator(`[data-testid="conveyor-image-tag"][data-ref="${base.ref}"]`);
    await expect(row).toContainText(base.tag);
    await expect(row).toContainText(/\d+(\.\d+)? [KMG]iB/);
    const local = section.locator('[data-testid="conveyor-image-group"][data-group="engine"]');
    await expect(local).toContainText('conveyor/base');

    await row.getByRole('button', { expanded: false }).click();
    await expect(row.getByTestId('conveyor-image-build-id')).toHaveText(base.buildId);
    await expect(row).toContainText(base.digest.slice(0, 19));
    const python = row.getByTestId('conveyor-image-packages').first();
    await expect(python).toContainText(/Python packages \(\d+\)/);
    await python.locator('summary').click();
    await expect(python.locator('li').first()).toBeVisible();
    const sidebar = page.locator(`#${SIDEBAR_ID}`);
    await sidebar.screenshot({ path: path.join(RESULTS, 'images-light.png') });
    await page.theme.setDarkTheme();
    await sidebar.screenshot({ path: path.join(RESULTS, 'images-dark.png') });
    await page.theme.setLightTheme();
  });

  test('finds the image that has a package, and makes it the default the submit dialog uses', async ({
    page
  }) => {
    const images = await (await page.request.get(`${API}/images`)).json();
    const base = images.find((i: any) => i.source === 'registry' && i.repository === 'shared/base');
    const tag = await (
      await page.request.get(`${API}/images/shared/base/tags/${encodeURIComponent(base.tag)}`)
    ).json();
    const pkg: string = tag.packages.python.find((p: string) => p.startsWith('ipykernel=='));
    expect(pkg).toBeTruthy();
    const [name, version] = pkg.split('==');

    const section = await openImages(page);
    await section.getByTestId('conveyor-images-search').fill(`${name} ${version.split('.')[0]}`);
    const row = section.locator(`[data-testid="conveyor-image-tag"][data-ref="${base.ref}"]`);
    // A package search reads every tag's package lists from the registry once (cached after):
    // give a registry with many tags more than the default 5 s.
    await expect(row.getByTestId('conveyor-image-matches')).toContainText(pkg, { timeout: 30_000 });
    // An image without that package is filtered out.
    await section.getByTestId('conveyor-images-search').fill('no-such-package-here 1');
    await expect(row).toHaveCount(0);
    await section.getByTestId('conveyor-images-search').fill('');
    await expect(row).toBeVisible();

    await row.getByRole('button', { expanded: false }).click();
    await row.getByTestId('conveyor-image-use-default').click();
    await expect(row.getByTestId('conveyor-image-default')).toBeVisible();
    expect((await (await page.request.get(`${API}/images/default`)).json()).ref).toBe(base.ref);

    // The submit dialog preselects it.
    await page.evaluate(() =>
      (window as any).jupyterapp.serviceManager.contents.save('default-image.ipynb', {
        type: 'notebook',
        format: 'json',
        content: { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }
      })
    );
    // Not awaited: the command resolves only when the dialog closes.
    await page.evaluate(() => {
      void (window as any).jupyterapp.commands.execute('conveyor:submit-notebook', {
        path: 'default-image.ipynb'
      });
    });
    const dialog = page.locator('.jp-Conveyor-submitDialog');
    await expect(dialog.getByLabel('Image')).toHaveValue(base.ref);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  test('deletes one of the user’s own tags after a confirmation', async ({ page }) => {
    const status = await (await page.request.get(`${API}/status`)).json();
    const repository = `users/${status.user.name}/galata${random()}`;
    const pushed = await page.request.post(`${API}/images/push`, {
      data: { image: 'conveyor/base:dev', repository, tag: `0.0.1-b${random()}` }
    });
    expect(pushed.status(), await pushed.text()).toBe(201);
    const mine = await pushed.json();

    const section = await openImages(page);
    const row = section.locator(`[data-testid="conveyor-image-tag"][data-ref="${mine.ref}"]`);
    await expect(
      section.locator('[data-testid="conveyor-image-group"][data-group="mine"]')
    ).toContainText(repository);
    await row.getByRole('button', { expanded: false }).click();
    await row.getByTestId('conveyor-image-delete').click();
    const confirm = page.locator('.jp-Dialog');
    await expect(confirm).toContainText(mine.ref);
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect(row).toHaveCount(0);
    const tags = await (await page.request.get(`${API}/images?q=${encodeURIComponent(repository)}`)).json();
    expect(tags.filter((i: any) => i.ref === mine.ref)).toEqual([]);
  });

  test('builds a custom image with a pip package, following its live log to the pushed tag', async ({
    page
  }) => {
    test.setTimeout(360_000);
    const images = await (await page.request.get(`${API}/images`)).json();
    const base = images.find((i: any) => i.source === 'registry' && i.repository === 'shared/base');
    const name = `galata${random()}`;

    const section = await openImages(page);
    await section.getByTestId('conveyor-images-build').click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.getByLabel('Base image').selectOption(base.ref);
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByLabel('Version').fill('0.1.0');
    await dialog.getByLabel('pip packages').fill('six==1.16.0');
    await dialog.getByRole('button', { name: 'Build' }).click();

    const view = page.locator('.jp-Conveyor-buildView:visible');
    await expect(view.getByTestId('conveyor-build-log')).toContainText('six', { timeout: 120_000 });
    await expect(view.getByTestId('conveyor-build-status')).toHaveAttribute(
      'data-status',
      'succeeded',
      { timeout: 300_000 }
    );
    const ref = view.getByTestId('conveyor-build-ref');
    await expect(ref).toContainText(`/${name}:0.1.0-b`);
    await page.screenshot({ path: path.join(RESULTS, 'images-build.png') });
    const pushed = (await ref.textContent())!;

    // The new tag appears under the user's own images, with the package found by search.
    const row = section.locator(`[data-testid="conveyor-image-tag"][data-ref="${pushed}"]`);
    await expect(section.locator('[data-group="mine"]')).toContainText(name);
    await section.getByTestId('conveyor-images-search').fill('six 1.16');
    await expect(row.getByTestId('conveyor-image-matches')).toContainText('six==1.16.0');
    const [repository, tag] = [pushed.slice(pushed.indexOf('/') + 1, pushed.lastIndexOf(':')), pushed.slice(pushed.lastIndexOf(':') + 1)];
    await page.request.delete(`${API}/images/${repository}/tags/${tag}`);
  });
});
