import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as path from 'path';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const API = '/conveyor/api/v1';

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
    // This month's metered usage, as the usage route reports it.
    const now = new Date();
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
    const usage = await (
      await page.request.get(`${API}/usage?from=${from}&to=${now.toISOString()}`)
    ).json();
    await expect(section.getByTestId('conveyor-usage-text')).toContainText(
      `$${usage.total.toFixed(2)} spent`
    );
    await section.screenshot({ path: path.join(RESULTS, 'resources-capacity-light.png') });
    await page.theme.setDarkTheme();
    await section.screenshot({ path: path.join(RESULTS, 'resources-capacity-dark.png') });
    await page.theme.setLightTheme();
  });

  test('shows a run waiting for capacity with its queue position, and the reserved CPUs', async ({
    page,
    tmpPath
  }) => {
    const status = await (await page.request.get(`${API}/status`)).json();
    const cpus: number = status.capacity.cpus;
    await page.contents.uploadFile(path.join(FIXTURES, 'sleepy.ipynb'), `${tmpPath}/sleepy.ipynb`);
    // Two runs that each take every CPU: the second waits for the first.
    const submit = async () => {
      const response = await page.request.post(`${API}/runs`, {
        data: {
          notebook: { path: `${tmpPath}/sleepy.ipynb`, resources: { cpus } },
          experiment: 'queue',
          cache: false
        }
      });
      expect(response.status(), await response.text()).toBe(201);
      return (await response.json()).id as string;
    };
    const first = await submit();
    const second = await submit();
    try {
      await expect
        .poll(async () => {
          const overview = await (await page.request.get(`${API}/resources`)).json();
          return overview.queue.find((q: any) => q.runId === second)?.position ?? 0;
        }, { timeout: 60_000 })
        .toBeGreaterThan(0);

      const section = await openResources(page);
      const row = section.locator(`[data-testid="conveyor-queue-row"][data-run-id="${second}"]`);
      await expect(row.getByTestId('conveyor-queue-position')).toHaveText('1');
      await expect(row.getByTestId('conveyor-queue-reason')).toHaveAttribute('data-reason', 'capacity');
      await expect(
        section.getByTestId('conveyor-capacity-cpus').getByTestId('conveyor-meter-value')
      ).toHaveText(`${cpus} of ${cpus} reserved`, { timeout: 60_000 });
      await expect(section.locator(`[data-run-id="${first}"]`)).toHaveCount(0);
      await row.scrollIntoViewIfNeeded();
      await section.screenshot({ path: path.join(RESULTS, 'resources-queue-light.png') });
      await page.theme.setDarkTheme();
      await section.screenshot({ path: path.join(RESULTS, 'resources-queue-dark.png') });
      await page.theme.setLightTheme();
    } finally {
      await page.request.post(`${API}/runs/${second}/cancel`);
      await page.request.post(`${API}/runs/${first}/cancel`);
    }
    // Once cancelled, the queue empties.
    await expect(page.locator('#jp-conveyor-resources').getByTestId('conveyor-queue-empty')).toBeVisible({
      timeout: 60_000
    });
  });

  test('keeps the profile picked for the next submission and the submit dialog preselects it', async ({
    page
  }) => {
    const profiles = await (await page.request.get(`${API}/profiles`)).json();
    const pick = profiles.find((p: any) => p.name !== 'small') ?? profiles[0];
    const section = await openResources(page);
    const radio = section.locator(`input[type="radio"][value="${pick.name}"]`);
    await radio.check();
    await expect(radio).toBeChecked();
    await expect(section.getByTestId('conveyor-profiles')).toContainText(`$${pick.pricePerHour.toFixed(2)}/h`);

    await page.evaluate(() =>
      (window as any).jupyterapp.serviceManager.contents.save('profile.ipynb', {
        type: 'notebook',
        format: 'json',
        content: { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }
      })
    );
    // Not awaited: the command resolves only when the dialog closes.
    await page.evaluate(() => {
      void (window as any).jupyterapp.commands.execute('conveyor:submit-notebook', {
        path: 'profile.ipynb'
      });
    });
    const dialog = page.locator('.jp-Conveyor-submitDialog');
    await expect(dialog.getByLabel('Resources')).toHaveValue(pick.name);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });
});
