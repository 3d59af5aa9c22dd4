import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as path from 'path';

/**
 * The Resources section against the real companion and Docker engine.
 */
const RESULTS = path.join(__dirname, '..', 'test-results');
const SIDEBAR_ID = 'jp-conveyor-sidebar';

test.use({ autoGoto: true });
test.setTimeout(180_000);

async function openResources(page: IJupyterLabPageFixture) {
  await page.locator(`.jp-SideBar .lm-TabBar-tab[data-id="${SIDEBAR_ID}"]`).click();
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('conveyor:open-resources'));
  const section = page.locator('#jp-conveyor-resources');
  await expect(section).toBeVisible();
  return section;
}

test.describe('Resources section', () => {
  test.beforeEach(async ({ page }) => {
    await expect
      .poll(async () => (await page.request.get('/conveyor/api/v1/status')).status(), {
        timeout: 60_000
      })
      .toBe(200);
  });

  test('shows the engine’s real CPU count and memory as text and meters', async ({ page }) => {
    const status = await (await page.request.get('/conveyor/api/v1/status')).json();
    const { cpus, memoryBytes } = status.capacity;
    expect(cpus).toBeGreaterThan(0);

    const section = await openResources(page);
    const cpu = section.getByTestId('conveyor-capacity-cpus');
    await expect(cpu.getByTestId('conveyor-meter-value')).toHaveText(
      new RegExp(`^\\d+(\\.\\d+)? of ${cpus} reserved$`)
    );
    await expect(cpu.getByRole('meter')).toHaveAttribute('aria-valuemax', String(cpus));
    const memory = section.getByTestId('conveyor-capacity-memory');
    await expect(memory.getByRole('meter')).toHaveAttribute(
      'aria-valuemax',
      String(memoryBytes)
    );
    await expect(memory.getByTestId('conveyor-meter-value')).toHaveText(/ of \d+(\.\d+)? [KMGT]iB reserved$/);
    await section.screenshot({ path: path.join(RESULTS, 'resources-capacity-light.png') });
    await page.theme.setDarkTheme();
    await section.screenshot({ path: path.join(RESULTS, 'resources-capacity-dark.png') });
    await page.theme.setLightTheme();
  });
});
