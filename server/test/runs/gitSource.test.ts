import { execFileSync } from 'node:child_process';
import { notebook, runsEnv, type RunsEnv } from './helpers';

// Runs record the commit of the notebook they ran when it lives in a git repository inside the
// workspace. The repository is made with the real git CLI.
let env: RunsEnv;
beforeAll(async () => {
  env = await runsEnv();
  env.write('project/train.ipynb', notebook(['print("in a repo")']));
  env.write('loose.ipynb', notebook(['print("not in a repo")']));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.invalid', ...args], {
      cwd: `${env.workspace}/project`
    })
      .toString()
      .trim();
  git('init', '-q');
  git('add', 'train.ipynb');
  git('commit', '-qm', 'add the training notebook');
});
afterAll(() => env.close());

test('a run of a committed notebook records the commit checked out', async () => {
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: `${env.workspace}/project` }).toString().trim();
  const run = await env.submit({ notebook: { path: 'project/train.ipynb' } });
  expect(run.source).toEqual({ path: 'project/train.ipynb', gitCommit: head });
  const done = await env.wait(run.id);
  expect(done.status).toBe('succeeded');
  expect(done.source.gitCommit).toBe(head);
});

test('a notebook outside any repository records no commit', async () => {
  const run = await env.submit({ notebook: { path: 'loose.ipynb' } });
  expect(run.source).toEqual({ path: 'loose.ipynb', gitCommit: null });
  await env.wait(run.id);
});
