import type { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, refreshIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { SectionPanel } from '../core/sectionPanel';
import { FileGroup, type IGitActions } from './files';
import type { GitModel } from './model';
import { shortOid } from './types';

/**
 * The "Git" sidebar section for the folder open in the file browser: renders the GitModel and
 * calls the plugin's actions, never fetches by itself.
 */
export class GitPanel extends SectionPanel<GitPanel.IOptions> {
  constructor(options: GitPanel.IOptions) {
    super(options, {
      id: 'jp-conveyor-git',
      label: options.trans.__('Git'),
      caption: options.trans.__('Version the notebooks of the folder open in the file browser')
    });
  }

  protected renderView(): JSX.Element {
    return <GitView {...this._options} />;
  }
}

export namespace GitPanel {
  export interface IOptions {
    model: GitModel;
    trans: TranslationBundle;
    actions: IGitActions;
  }
}

export function GitView(props: GitPanel.IOptions): JSX.Element {
  const { model, trans, actions } = props;
  const folder = model.path === '' ? '/' : model.path;
  return (
    <div className="jp-Conveyor-gitBody" data-testid="conveyor-git">
      <div className="jp-Conveyor-gitToolbar">
        <span className="jp-Conveyor-gitFolder" title={folder}>
          {model.repo?.root !== null && model.repo?.root !== undefined
            ? model.repo.root || '/'
            : folder}
        </span>
        {model.inRepo && (
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-Conveyor-gitSmall"
            onClick={() => actions.history()}
            title={trans.__('History of the repository')}
            data-testid="conveyor-git-history"
          >
            {trans.__('History')}
          </button>
        )}
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
          onClick={() => void model.refresh()}
          aria-label={trans.__('Refresh git status')}
          title={trans.__('Refresh git status')}
        >
          <refreshIcon.react tag="span" />
        </button>
      </div>
      {model.error && (
        <p className="jp-Conveyor-error" role="alert">
          {model.error}
        </p>
      )}
      {model.repo === null && !model.error && (
        <p className="jp-Conveyor-placeholder">{trans.__('Loading…')}</p>
      )}
      {model.repo !== null && !model.inRepo && (
        <div className="jp-Conveyor-gitEmpty">
          <p className="jp-Conveyor-placeholder">
            {trans.__('%1 is not in a git repository.', folder)}
          </p>
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-accept"
            disabled={model.busy !== null}
            onClick={() => actions.init()}
            data-testid="conveyor-git-init"
          >
            {trans.__('Initialise a repository here')}
          </button>
        </div>
      )}
      {model.inRepo && <RepoView {...props} />}
    </div>
  );
}

function RepoView(props: GitPanel.IOptions): JSX.Element {
  const { model, trans, actions } = props;
  const repo = model.repo!;
  const branches = model.branches?.branches ?? [];
  const current = model.branches?.current ?? repo.branch;
  const busy = model.busy !== null;
  const clean = model.files.length === 0;
  // The branch picked in the list, switched to only on "Switch" (arrow keys must not check out).
  const [pending, setPending] = React.useState<string | null>(null);
  return (
    <>
      <div className="jp-Conveyor-gitBranchBar">
        <select
          className="jp-Conveyor-input jp-Conveyor-gitBranch"
          aria-label={trans.__('Current branch')}
          title={trans.__('Current branch: choose another, then Switch')}
          value={pending ?? current ?? ''}
          disabled={busy}
          onChange={e => setPending(e.target.value === current ? null : e.target.value)}
          data-testid="conveyor-git-branch"
        >
          {repo.detached && (
            <option value="">{trans.__('detached at %1', shortOid(repo.head ?? ''))}</option>
          )}
          {branches.length === 0 && current && <option value={current}>{current}</option>}
          {branches.map(b => (
            <option key={b.name} value={b.name}>
              {b.name}
            </option>
          ))}
        </select>
        {pending && (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-accept jp-Conveyor-gitSmall"
            disabled={busy}
            onClick={() => {
              setPending(null);
              actions.checkout(pending);
            }}
            title={trans.__('Switch to %1 (refused if it would overwrite uncommitted work)', pending)}
            data-testid="conveyor-git-switch"
          >
            {trans.__('Switch')}
          </button>
        )}
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
          disabled={busy}
          onClick={() => actions.newBranch()}
          aria-label={trans.__('New branch…')}
          title={trans.__('New branch…')}
          data-testid="conveyor-git-new-branch"
        >
          <addIcon.react tag="span" />
        </button>
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-Conveyor-gitSmall"
          disabled={busy || branches.length < 2}
          onClick={() => actions.merge()}
          title={trans.__('Fast-forward the current branch to another one')}
        >
          {trans.__('Merge…')}
        </button>
      </div>
      <CommitBox {...props} />
      {clean && (
        <p className="jp-Conveyor-placeholder" data-testid="conveyor-git-clean">
          {repo.head
            ? trans.__('Nothing to commit: the working copy matches %1.', shortOid(repo.head))
            : trans.__('No commit yet: add notebooks to this folder, then stage and commit them.')}
        </p>
      )}
      <FileGroup kind="staged" title={trans.__('Staged')} files={model.staged} {...props} />
      <FileGroup kind="unstaged" title={trans.__('Changes')} files={model.unstaged} {...props} />
      <FileGroup kind="untracked" title={trans.__('Untracked')} files={model.untracked} {...props} />
      {model.truncated && (
        <p className="jp-Conveyor-gitWarning" role="status">
          {trans.__('Only the first 5,000 untracked files are listed: add a .gitignore for data and environment folders.')}
        </p>
      )}
      <Remotes {...props} />
      <label className="jp-Conveyor-gitOption">
        <input
          type="checkbox"
          checked={repo.stripOutputs}
          disabled={busy}
          onChange={e => actions.setStripOutputs(e.target.checked)}
          data-testid="conveyor-git-strip-outputs"
        />
        <span>{trans.__('Strip notebook outputs on commit')}</span>
      </label>
    </>
  );
}

function CommitBox({ model, trans, actions }: GitPanel.IOptions): JSX.Element {
  const staged = model.staged.length;
  return (
    <form
      className="jp-Conveyor-gitCommit"
      aria-label={trans.__('Commit')}
      onSubmit={e => {
        e.preventDefault();
        if (model.canCommit) {
          actions.commit();
        }
      }}
    >
      <textarea
        className="jp-Conveyor-input jp-Conveyor-gitMessage"
        placeholder={trans.__('Commit message (Ctrl+Enter to commit)')}
        aria-label={trans.__('Commit message')}
        value={model.message}
        rows={2}
        onChange={e => (model.message = e.target.value)}
        onKeyDown={e => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && model.canCommit) {
            e.preventDefault();
            actions.commit();
          }
        }}
        data-testid="conveyor-git-message"
      />
      <div className="jp-Conveyor-gitCommitBar">
        <label className="jp-Conveyor-gitOption">
          <input
            type="checkbox"
            checked={model.amend}
            disabled={!model.repo?.head}
            onChange={e => (model.amend = e.target.checked)}
            data-testid="conveyor-git-amend"
          />
          <span>{trans.__('Amend last commit')}</span>
        </label>
        <button
          type="submit"
          className="jp-Button jp-mod-styled jp-mod-accept"
          disabled={!model.canCommit}
          data-testid="conveyor-git-commit"
        >
          {model.busy === 'commit'
            ? trans.__('Committing…')
            : model.amend
              ? trans.__('Amend')
              : staged > 0
                ? trans.__('Commit %1', staged)
                : trans.__('Commit')}
        </button>
      </div>
    </form>
  );
}

function Remotes({ model, trans, actions }: GitPanel.IOptions): JSX.Element {
  const remotes = model.repo?.remotes ?? [];
  const busy = model.busy !== null;
  const progress = model.progress;
  const syncing = model.busy === 'fetch' || model.busy === 'pull' || model.busy === 'push';
  return (
    <details className="jp-Conveyor-gitRemotes" open={remotes.length > 0 || undefined}>
      <summary>{trans.__('Remotes (%1)', remotes.length)}</summary>
      <ul className="jp-Conveyor-gitRemoteList">
        {remotes.map(remote => (
          <li key={remote.name} className="jp-Conveyor-gitRemote" data-remote={remote.name}>
            <span className="jp-Conveyor-gitRemoteName" title={remote.url}>
              {remote.name}
            </span>
            <span className="jp-Conveyor-gitRemoteUrl">{remote.url}</span>
            <span className="jp-Conveyor-gitRemoteActions">
              {(['fetch', 'pull', 'push'] as const).map(op => (
                <button
                  key={op}
                  type="button"
                  className="jp-Button jp-mod-minimal"
                  disabled={busy}
                  onClick={() => actions.sync(op, remote.name)}
                  aria-label={trans.__('%1 %2', op, remote.name)}
                >
                  {op === 'fetch' ? trans.__('Fetch') : op === 'pull' ? trans.__('Pull') : trans.__('Push')}
                </button>
              ))}
              <button
                type="button"
                className="jp-Button jp-mod-minimal"
                disabled={busy}
                onClick={() => actions.credentials(remote.name)}
                title={
                  remote.hasCredentials
                    ? trans.__('Credentials kept on the server; click to replace them')
                    : trans.__('Set a user name and password or token for this remote')
                }
              >
                {remote.hasCredentials ? trans.__('Credentials ✓') : trans.__('Credentials…')}
              </button>
              <button
                type="button"
                className="jp-Button jp-mod-minimal jp-mod-warn"
                disabled={busy}
                onClick={() => actions.removeRemote(remote.name)}
                aria-label={trans.__('Remove remote %1', remote.name)}
                title={trans.__('Remove remote %1', remote.name)}
              >
                ×
              </button>
            </span>
          </li>
        ))}
      </ul>
      {syncing && (
        <div className="jp-Conveyor-gitProgress" role="status" aria-live="polite">
          <span>
            {progress
              ? `${progress.phase}${progress.total ? ` ${progress.loaded ?? 0}/${progress.total}` : ''}`
              : trans.__('%1 under way…', model.busy ?? '')}
          </span>
          <progress
            max={progress?.total || undefined}
            value={progress?.total ? (progress.loaded ?? 0) : undefined}
            aria-label={trans.__('Progress')}
          />
        </div>
      )}
      <button
        type="button"
        className="jp-Button jp-mod-minimal"
        disabled={busy}
        onClick={() => actions.addRemote()}
      >
        {trans.__('Add remote…')}
      </button>
    </details>
  );
}
