import { MainAreaWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, refreshIcon, UseSignal } from '@jupyterlab/ui-components';
import React from 'react';

import { formatWhen } from '../runs/format';
import type { HistoryModel } from './history';
import { type IGitCommit, shortOid } from './types';

/** What a history row can ask for (the plugin opens widgets and confirms). */
export interface IHistoryActions {
  /** Open the file (the history's path) as it was at `oid`, read-only. */
  open(path: string, oid: string): void;
  /** Diff the file between two versions (`to` may be the working copy). */
  diff(path: string, from: string, to?: string): void;
  /** Write the file as it was at `oid` to the working copy (after a confirmation). */
  restore(path: string, oid: string): void;
}

/**
 * The history of a repository or of one notebook, in the main area: one row per commit with
 * its summary, author and date; for a file, open that version, diff it, or restore it; check two
 * commits to diff them.
 */
export class HistoryView extends MainAreaWidget<ReactWidget> {
  constructor(options: HistoryView.IOptions) {
    const { model, trans } = options;
    const content = ReactWidget.create(
      <UseSignal signal={model.changed} initialSender={model}>
        {() => <HistoryBody {...options} />}
      </UseSignal>
    );
    super({ content });
    this.model = model;
    this.id = HistoryView.widgetId(model.repo, model.path);
    this.addClass('jp-Conveyor-gitHistoryView');
    const name = model.path ? model.path.slice(model.path.lastIndexOf('/') + 1) : model.repo;
    this.title.label = trans.__('History: %1', name);
    this.title.caption = model.path
      ? trans.__('Git history of %1', model.path)
      : trans.__('Git history of the repository %1', model.repo);
    this.title.closable = true;
    void model.reload();
  }

  readonly model: HistoryModel;

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }
}

export namespace HistoryView {
  export interface IOptions {
    model: HistoryModel;
    trans: TranslationBundle;
    actions: IHistoryActions;
  }

  export function widgetId(repo: string, path: string | null): string {
    return `jp-conveyor-git-history-${path ?? `repo-${repo}`}`.replace(/[^A-Za-z0-9_-]/g, '-');
  }
}

function HistoryBody({ model, trans, actions }: HistoryView.IOptions): JSX.Element {
  const pair = model.pair;
  const path = model.path;
  return (
    <div className="jp-Conveyor-gitHistory" data-testid="conveyor-git-history-view">
      <header className="jp-Conveyor-gitHistoryHeader">
        <h2>{path ?? trans.__('Repository %1', model.repo === '.' ? '/' : model.repo)}</h2>
        {path && (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-accept"
            disabled={!pair}
            onClick={() => pair && actions.diff(path, pair[0], pair[1])}
            title={trans.__('Check two commits to compare them')}
            data-testid="conveyor-git-diff-checked"
          >
            {trans.__('Diff checked')}
          </button>
        )}
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
          onClick={() => void model.reload()}
          aria-label={trans.__('Reload history')}
          title={trans.__('Reload history')}
        >
          <refreshIcon.react tag="span" />
        </button>
      </header>
      {model.error && (
        <p className="jp-Conveyor-error" role="alert">
          {model.error}
        </p>
      )}
      {model.commits.length === 0 && !model.loading && !model.error && (
        <p className="jp-Conveyor-placeholder">{trans.__('No commit yet.')}</p>
      )}
      <ol className="jp-Conveyor-gitCommits" aria-label={trans.__('Commits, newest first')}>
        {model.commits.map(commit => (
          <CommitRow
            key={commit.oid}
            commit={commit}
            model={model}
            trans={trans}
            actions={actions}
          />
        ))}
      </ol>
      {model.hasMore && (
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-reject"
          disabled={model.loading}
          onClick={() => void model.more()}
        >
          {trans.__('Older commits')}
        </button>
      )}
    </div>
  );
}

function CommitRow(props: {
  commit: IGitCommit;
  model: HistoryModel;
  trans: TranslationBundle;
  actions: IHistoryActions;
}): JSX.Element {
  const { commit, model, trans, actions } = props;
  const path = model.path;
  const checked = model.checked.includes(commit.oid);
  const when = new Date(commit.author.timestamp * 1000).toISOString();
  const short = shortOid(commit.oid);
  return (
    <li
      className={`jp-Conveyor-gitCommitRow${checked ? ' jp-mod-checked' : ''}`}
      data-oid={commit.oid}
      data-testid="conveyor-git-commit-row"
    >
      {path && (
        <input
          type="checkbox"
          checked={checked}
          onChange={() => model.toggle(commit.oid)}
          aria-label={trans.__('Check %1 to diff', short)}
          data-testid="conveyor-git-commit-check"
        />
      )}
      <div className="jp-Conveyor-gitCommitText">
        <span className="jp-Conveyor-gitSummary">{commit.summary || commit.message}</span>
        <span className="jp-Conveyor-runMeta">
          <span className="jp-Conveyor-mono" title={commit.oid}>
            {short}
          </span>
          {' · '}
          <span title={commit.author.email}>{commit.author.name}</span>
          {' · '}
          <time dateTime={when} title={when}>
            {formatWhen(when)}
          </time>
        </span>
      </div>
      {path && (
        <span className="jp-Conveyor-gitCommitActions">
          <button
            type="button"
            className="jp-Button jp-mod-minimal"
            onClick={() => actions.open(path, commit.oid)}
            aria-label={trans.__('Open %1 as of %2 (read-only)', path, short)}
            data-testid="conveyor-git-open-version"
          >
            {trans.__('Open')}
          </button>
          <button
            type="button"
            className="jp-Button jp-mod-minimal"
            onClick={() => actions.diff(path, commit.oid)}
            aria-label={trans.__('Diff %1 with the working copy', short)}
            data-testid="conveyor-git-diff-worktree"
          >
            {trans.__('Diff with working copy')}
          </button>
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-mod-warn"
            onClick={() => actions.restore(path, commit.oid)}
            aria-label={trans.__('Restore %1 to %2', path, short)}
            data-testid="conveyor-git-restore"
          >
            {trans.__('Restore')}
          </button>
        </span>
      )}
    </li>
  );
}
