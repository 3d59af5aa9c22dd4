import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SIDEBAR_ID = 'jp-conveyor-sidebar';
const RESULTS = path.join(__dirname, '..', 'test-results');
const SERVER_VERSION: string = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'server', 'package.json'), 'utf-8')
).version;

/** The Status section's value for a row, located by its test id. */
const value = (page: IJupyterLabPageFixture, id: string) =>
  page.getByTestId(`conveyor-status-${id}`);

async function openConveyorSidebar(page: IJupyterLabPageFixture): Promise<void> {
  const tab = page.locator(`.jp-SideBar .lm-TabBar-tab[data-id="${SIDEBAR_ID}"]`);
  await expect(tab).toBeVisible();
  await tab.click();
  await expect(page.locator(`#${SIDEBAR_ID}`)).toBeVisible();
}

/** WCAG contrast ratio of two computed CSS `rgb(...)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number).map(c => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test.describe('Conveyor status sidebar', () => {
  test('loads the Conveyor plugins into JupyterLab', async ({ page }) => {
    const loaded = await page.evaluate(() => {
      const app = (window as any).jupyterapp;
      return {
        core: app.isPluginActivated('jupyterlab-conveyor:core'),
        status: app.isPluginActivated('jupyterlab-conveyor:status'),
        commands: ['conveyor:open-sidebar', 'conveyor:refresh-status'].map(id =>
          app.commands.hasCommand(id)
        )
      };
    });
    expect(loaded).toEqual({ core: true, status: true, commands: [true, true] });
  });

  test('shows the live server, Docker and capacity figures', async ({ page, request }) => {
    const response = await request.get('/conveyor/api/v1/status');
    expect(response.ok()).toBe(true);
    const status = await response.json();

    await openConveyorSidebar(page);

    await expect(value(page, 'state')).toHaveText('Connected');
    await expect(value(page, 'extension-version')).toHaveText('0.1.0');
    await expect(value(page, 'server-version')).toHaveText(SERVER_VERSION);
    await expect(page.getByTestId('conveyor-version-warning')).toHaveCount(0);
    await expect(value(page, 'docker')).toHaveText(/^running v\d+\.\d+/);
    await expect(value(page, 'cpus')).toHaveText(String(os.cpus().length));
    await expect(value(page, 'cpus')).toHaveText(String(status.capacity.cpus));
    await expect(value(page, 'mode')).toHaveText(status.server.mode);
    await expect(value(page, 'user')).toContainText(status.user.name);
    await expect(value(page, 'store')).toHaveText(/^(SQLite|PostgreSQL)$/);

    const memory = parseFloat((await value(page, 'memory').textContent()) ?? '');
    expect(memory).toBeGreaterThan(0);
    expect(memory).toBeCloseTo(status.capacity.memoryBytes / 1024 ** 3, 1);

    await page.locator(`#${SIDEBAR_ID}`).screenshot({
      path: path.join(RESULTS, 'conveyor-sidebar-light.png')
    });
  });

  test('refreshes the status from the keyboard', async ({ page }) => {
    await openConveyorSidebar(page);
    await expect(value(page, 'state')).toHaveText('Connected');

    const refresh = page.getByRole('button', { name: 'Refresh Conveyor status' });
    await refresh.focus();
    await expect(refresh).toBeFocused();
    const statusRequest = page.waitForResponse(
      r => r.url().includes('/conveyor/api/v1/status') && r.status() === 200
    );
    await page.keyboard.press('Enter');
    await statusRequest;
    await expect(value(page, 'state')).toHaveText('Connected');
  });

  test('stays readable in the dark theme', async ({ page }) => {
    await page.theme.setDarkTheme();
    await openConveyorSidebar(page);
    await expect(value(page, 'state')).toHaveText('Connected');

    const colors = await page.evaluate(() => {
      const css = (selector: string) => getComputedStyle(document.querySelector(selector)!);
      return {
        background: css('.jp-Conveyor-status').backgroundColor,
        value: css('[data-testid="conveyor-status-cpus"]').color,
        term: css('.jp-Conveyor-term').color
      };
    });
    expect(contrast(colors.value, colors.background)).toBeGreaterThan(4.5);
    expect(contrast(colors.term, colors.background)).toBeGreaterThan(3);

    await page.locator(`#${SIDEBAR_ID}`).screenshot({
      path: path.join(RESULTS, 'conveyor-sidebar-dark.png')
    });
    await page.theme.setLightTheme();
  });
});

