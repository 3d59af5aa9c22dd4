import type { RouteDoc } from '../core/openapi';

/** OpenAPI entries of the git routes (docs/git.md has the walk-through). */
export const gitRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/git/repo', summary: 'The repository containing a workspace path (?path=), root null when none', response: 'git-repo.json' },
  { method: 'post', path: '/git/init', summary: 'Create a repository in a workspace folder (branch main)', request: 'git-init-request.json', response: 'git-repo.json' },
  { method: 'get', path: '/git/status', summary: 'Changed, staged and untracked files (?repo=)', response: 'git-status.json' },
  { method: 'post', path: '/git/stage', summary: 'Stage files or folders (outputs stripped when the repository says so)', request: 'git-paths-request.json', response: 'git-status.json' },
  { method: 'post', path: '/git/unstage', summary: 'Put staged files back to HEAD in the index', request: 'git-paths-request.json', response: 'git-status.json' },
  { method: 'post', path: '/git/discard', summary: 'Put the staged version back in the working copy (untracked files are refused)', request: 'git-paths-request.json', response: 'git-status.json' },
  { method: 'post', path: '/git/commit', summary: "Commit the index (or only some paths) as the caller; amend the last commit", request: 'git-commit-request.json', response: 'git-commit-result.json' },
  { method: 'get', path: '/git/log', summary: 'History of the repository or of one file (?repo=&path=&ref=&limit=&skip=)', response: 'git-log.json' },
  { method: 'get', path: '/git/show', summary: 'A file at a commit-ish, INDEX or WORKTREE (?repo=&path=&ref=)', response: 'git-show.json' },
  { method: 'get', path: '/git/diff', summary: 'Notebook-aware diff of a file between two versions (?repo=&path=&from=HEAD&to=WORKTREE)', response: 'git-diff.json' },
  { method: 'post', path: '/git/restore', summary: 'Write a past version of a file to the working copy (a new change)', request: 'git-restore-request.json', response: 'git-restore-result.json' },
  { method: 'get', path: '/git/branches', summary: 'Local branches and the current one (?repo=)', response: 'git-branches.json' },
  { method: 'post', path: '/git/branches', summary: 'Create a branch (without switching)', request: 'git-branch-request.json', response: 'git-branches.json', status: 201 },
  { method: 'post', path: '/git/checkout', summary: 'Switch branch; 409 uncommitted_changes (with the paths) when work would be lost', request: 'git-checkout-request.json', response: 'git-branches.json' },
  { method: 'post', path: '/git/merge', summary: 'Fast-forward the current branch; 409 merge_required otherwise', request: 'git-merge-request.json', response: 'git-merge-result.json' },
  { method: 'get', path: '/git/remotes', summary: 'Remotes, and whether the caller stored credentials for each (?repo=)', response: 'git-remotes.json' },
  { method: 'post', path: '/git/remotes', summary: 'Add or re-point a remote; credentials are kept encrypted server-side', request: 'git-remote-request.json', response: 'git-remotes.json', status: 201 },
  { method: 'delete', path: '/git/remotes', summary: "Remove a remote and the caller's credentials for it (?repo=&name=)", response: 'git-remotes.json' },
  { method: 'post', path: '/git/fetch', summary: 'Fetch from a remote (progress: git.progress events)', request: 'git-remote-op-request.json', response: 'git-remote-op-result.json' },
  { method: 'post', path: '/git/pull', summary: 'Fetch and fast-forward the current branch (409 merge_required when diverged)', request: 'git-remote-op-request.json', response: 'git-remote-op-result.json' },
  { method: 'post', path: '/git/push', summary: 'Push the current branch; a rejected push changes nothing locally (409 push_rejected)', request: 'git-remote-op-request.json', response: 'git-remote-op-result.json' },
  { method: 'put', path: '/git/settings', summary: 'Per-repository settings: strip notebook outputs on commit', request: 'git-settings-request.json', response: 'git-repo.json' }
];
