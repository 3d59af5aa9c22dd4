import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Git versioning of a notebook in the UI, against the real companion and a real repository in
 * the workspace: modify a notebook, see it changed, commit, see it in history, diff two
 * versions, restore one.
 */
const RESULTS = path.join(__dirname, '..', 'test-results');
const API = '/conveyor/api/v1';
const SIDEBAR_ID = 'jp-conveyor-sidebar';

test.use({ autoGoto: true });
test.setTimeout(90_000);

function notebook(source: string): string {
  return JSON.stringify({
    cells: [
      { cell_type: 'markdown', id: 'title', metadata: {}, source: '# Learning rate' },
      { cell_type: 'code', id: 'rate', metadata: {}, execution_count: null, outputs: [], source }
    ],
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  });
}

/** A real smart-HTTP git server (scripts/git-http.mjs) with one empty bare repository. */
async function gitServer(user: string): Promise<{ child: ChildProcess; url: string; bare: string }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-galata-git-'));
  const bare = path.join(root, 'team.git');
  execFileSync('git', ['init', '--bare', '-q', '-b', 'main', bare]);
  const script = path.join(__dirname, '..', '..', 'scripts', 'git-http.mjs');
  const child = spawn(process.execPath, [script, root, '--user', user], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) {
        resolve(match[1]);
      }
    });
    child.on('exit', code => reject(new Error(`git-http exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}/team.git`, bare };
}

async function gitSection(page: IJupyterLabPageFixture) {
  await page.locator(`.jp-SideBar .lm-TabBar-tab[data-id="${SIDEBAR_ID}"]`).click();
  const title = page.locator(`#${SIDEBAR_ID} .lm-AccordionPanel-title`).filter({ hasText: /^Git$/ });
  await expect(title).toBeVisible();
  // Only this section open, so the file list has room (and the screenshot shows it).
  const titles = page.locator(`#${SIDEBAR_ID} .lm-AccordionPanel-title`);
  for (let i = 0; i < (await titles.count()); i++) {
    const other = titles.nth(i);
    if ((await other.getAttribute('aria-expanded')) === 'true' && (await other.innerText()).trim() !== 'Git') {
      await other.click();
    }
  }
  if ((await title.getAttribute('aria-expanded')) !== 'true') {
    await title.click();
  }
  const section = page.locator('#jp-conveyor-git');
  await expect(section).toBeVisible();
  return section;
}

test('modify a notebook, see it changed, commit, see it in history, diff two versions, restore one', async ({
  page,
  tmpPath
}) => {
  await expect
    .poll(async () => (await page.request.get(`${API}/status`)).status(), { timeout: 30_000 })
    .toBe(200);
  const nbPath = `${tmpPath}/train.ipynb`;
  await page.contents.uploadContent(notebook('rate = 0.1'), 'text', nbPath);
  // The first version is committed through the API; everything after is done in the UI.
  expect((await page.request.post(`${API}/git/init`, { data: { path: tmpPath } })).ok()).toBe(true);
  const first = await page.request.post(`${API}/git/commit`, {
    data: { repo: tmpPath, message: 'First rate', paths: [nbPath] }
  });
  expect(first.ok(), await first.text()).toBe(true);

  await page.filebrowser.openDirectory(tmpPath);
  // Open it without a kernel: editing and saving need none.
  await page.evaluate(async p => {
    await (window as any).jupyterapp.commands.execute('docmanager:open', {
      path: p,
      kernelPreference: { shouldStart: false }
    });
  }, nbPath);
  await expect(page.locator('.jp-Notebook .jp-Cell')).toHaveCount(2);
  const section = await gitSection(page);
  await expect(section.getByTestId('conveyor-git-clean')).toBeVisible();
  await expect(section.getByTestId('conveyor-git-branch')).toHaveValue('main');

  // Modify the notebook in its editor and save it: the Git section lists it as changed.
  await page.notebook.setCell(1, 'code', 'rate = 0.01');
  await page.notebook.save();
  const changes = section.getByTestId('conveyor-git-unstaged');
  const row = changes.locator(`[data-testid="conveyor-git-file"][data-path="${nbPath}"]`);
  await expect(row).toHaveAttribute('data-status', 'modified');
  await expect(row).toHaveClass(/jp-mod-notebook/);

  // Stage it, write a message, commit.
  await row.hover();
  await row.getByTestId('conveyor-git-stage').click();
  const staged = section.getByTestId('conveyor-git-staged');
  await expect(staged.locator(`[data-path="${nbPath}"]`)).toBeVisible();
  await section.getByTestId('conveyor-git-message').fill('Lower the learning rate');
  await section.screenshot({ path: path.join(RESULTS, 'git-section.png') });
  await section.getByRole('button', { name: 'Commit 1' }).click();
  await expect(section.getByTestId('conveyor-git-clean')).toBeVisible();

  // History of the notebook from the file browser's context menu.
  await page.sidebar.openTab('filebrowser');
  await page
    .locator('.jp-DirListing-item[data-file-type="notebook"]', { hasText: 'train.ipynb' })
    .click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Git: History' }).click();
  const history = page.getByTestId('conveyor-git-history-view');
  const commits = history.getByTestId('conveyor-git-commit-row');
  await expect(commits).toHaveCount(2);
  await expect(commits.nth(0)).toContainText('Lower the learning rate');
  await expect(commits.nth(1)).toContainText('First rate');
  await page.screenshot({ path: path.join(RESULTS, 'git-history.png') });

  // Diff the two versions: one modified cell, the old and the new line.
  await commits.nth(0).getByTestId('conveyor-git-commit-check').check();
  await commits.nth(1).getByTestId('conveyor-git-commit-check').check();
  await history.getByTestId('conveyor-git-diff-checked').click();
  const diff = page.getByTestId('conveyor-git-diff');
  await expect(diff).toHaveAttribute('data-kind', 'notebook');
  await expect(diff.getByTestId('conveyor-git-diff-summary')).toContainText('1 modified');
  const cell = diff.locator('[data-testid="conveyor-git-diff-cell"][data-status="modified"]');
  await expect(cell.locator('.jp-Conveyor-diffDel')).toHaveText('- rate = 0.1');
  await expect(cell.locator('.jp-Conveyor-diffAdd')).toHaveText('+ rate = 0.01');
  await page.screenshot({ path: path.join(RESULTS, 'git-diff.png') });
  await page.theme.setDarkTheme();
  await page.screenshot({ path: path.join(RESULTS, 'git-diff-dark.png') });
  await page.theme.setLightTheme();

  // Restore the first version: confirmed, written to the working copy, nothing committed.
  await page.getByRole('tab', { name: /History: train\.ipynb/ }).click();
  await commits.nth(1).getByTestId('conveyor-git-restore').click();
  await page.locator('.jp-Dialog').getByRole('button', { name: 'Restore' }).click();
  await gitSection(page);
  await expect(row).toHaveAttribute('data-status', 'modified');
  const worktree = await page.request.get(
    `${API}/git/show?repo=${encodeURIComponent(tmpPath)}&ref=WORKTREE&path=${encodeURIComponent(nbPath)}`
  );
  expect(JSON.parse((await worktree.json()).content).cells[1].source).toBe('rate = 0.1');
  const log = await (
    await page.request.get(`${API}/git/log?repo=${encodeURIComponent(tmpPath)}`)
  ).json();
  expect(log.commits.map((c: any) => c.summary)).toEqual(['Lower the learning rate', 'First rate']);
  // The open editor shows the restored source.
  await page.notebook.activate('train.ipynb');
  await expect(page.locator('.jp-Notebook .jp-Cell').nth(1)).toContainText('rate = 0.1');
  await expect(page.locator('.jp-Notebook .jp-Cell').nth(1)).not.toContainText('0.01');
});

test('pushes to a real HTTP remote after asking for its credentials; refuses to switch branches over uncommitted work', async ({
  page,
  tmpPath
}) => {
  await expect
    .poll(async () => (await page.request.get(`${API}/status`)).status(), { timeout: 30_000 })
    .toBe(200);
  const server = await gitServer('ada:s3cret');
  try {
    const nbPath = `${tmpPath}/train.ipynb`;
    await page.contents.uploadContent(notebook('rate = 0.1'), 'text', nbPath);
    expect((await page.request.post(`${API}/git/init`, { data: { path: tmpPath } })).ok()).toBe(true);
    const first = await page.request.post(`${API}/git/commit`, {
      data: { repo: tmpPath, message: 'First rate', paths: [nbPath] }
    });
    const { oid } = await first.json();

    await page.filebrowser.openDirectory(tmpPath);
    const section = await gitSection(page);
    await section.getByText('Remotes (0)').click();
    await section.getByRole('button', { name: 'Add remote…' }).click();
    const add = page.locator('.jp-Dialog');
    await add.getByTestId('conveyor-git-form-url').fill(server.url);
    await add.getByRole('button', { name: 'Add' }).click();
    await expect(section.getByText('Remotes (1)')).toBeVisible();

    // No credentials yet: the push is refused, the dialog asks for them, saves them and retries.
    await section.getByRole('button', { name: 'push origin' }).click();
    const ask = page.locator('.jp-Dialog', { hasText: 'Credentials for origin' });
    await expect(ask).toBeVisible();
    await ask.getByTestId('conveyor-git-form-username').fill('ada');
    await ask.getByTestId('conveyor-git-form-password').fill('s3cret');
    await ask.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('Pushed to origin')).toBeVisible();
    expect(execFileSync('git', ['--git-dir', server.bare, 'rev-parse', 'main'], { encoding: 'utf8' }).trim()).toBe(oid);
    await expect(section.getByRole('button', { name: 'Credentials ✓' })).toBeVisible();
    await section.screenshot({ path: path.join(RESULTS, 'git-remote.png') });
    const repo = await (await page.request.get(`${API}/git/repo?path=${encodeURIComponent(tmpPath)}`)).text();
    expect(repo).not.toContain('s3cret');

    // A branch with another version of the notebook, then an uncommitted edit: back to main is refused.
    await section.getByTestId('conveyor-git-new-branch').click();
    await page.locator('.jp-Dialog input').fill('faster');
    await page.locator('.jp-Dialog').getByRole('button', { name: /ok/i }).click();
    await expect(section.getByTestId('conveyor-git-branch')).toHaveValue('faster');
    await page.contents.uploadContent(notebook('rate = 0.5'), 'text', nbPath);
    await page.request.post(`${API}/git/commit`, { data: { repo: tmpPath, message: 'Faster', paths: [nbPath] } });
    await page.contents.uploadContent(notebook('rate = 0.7'), 'text', nbPath);
    await section.getByTestId('conveyor-git-branch').selectOption('main');
    await section.getByTestId('conveyor-git-switch').click();
    const refused = page.locator('.jp-Dialog', { hasText: 'Cannot switch to main' });
    await expect(refused).toContainText('Commit or discard them first');
    await expect(refused).toContainText(nbPath);
    await refused.getByRole('button').last().click();
    await expect(section.getByTestId('conveyor-git-branch')).toHaveValue('faster');
  } finally {
    server.child.kill();
  }
});
