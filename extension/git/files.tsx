import type { TranslationBundle } from '@jupyterlab/translation';
import { fileIcon, notebookIcon } from '@jupyterlab/ui-components';
import React from 'react';

import type { GitModel } from './model';
import { isNotebookPath, type IGitFile } from './types';

/** What the Git section asks the plugin to do (dialogs, main-area widgets, error reports). */
export interface IGitActions {
  init(): void;
  stage(paths: string[]): void;
  unstage(paths: string[]): void;
  discard(paths: string[]): void;
  commit(): void;
  diff(file: IGitFile): void;
  history(path?: string): void;
  open(path: string): void;
  checkout(branch: string): void;
  newBranch(): void;
  merge(): void;
  addRemote(): void;
  removeRemote(name: string): void;
  /** Ask for and store (server-side) the caller's credentials for a remote. */
  credentials(name: string): void;
  sync(op: 'fetch' | 'pull' | 'push', remote: string): void;
  setStripOutputs(strip: boolean): void;
}

export type FileGroupKind = 'staged' | 'unstaged' | 'untracked';

const STATUS_LETTER: Record<IGitFile['status'], string> = {
  modified: 'M',
  added: 'A',
  deleted: 'D',
  untracked: 'U',
  conflicted: '!'
};

function statusLabel(status: IGitFile['status'], trans: TranslationBundle): string {
  switch (status) {
    case 'modified':
      return trans.__('modified');
    case 'added':
      return trans.__('added');
    case 'deleted':
      return trans.__('deleted');
    case 'untracked':
      return trans.__('untracked');
    default:
      return trans.__('conflicted');
  }
}

/** The path relative to the repository root, for display. */
function display(path: string, root: string | null | undefined): string {
  if (root && path.startsWith(`${root}/`)) {
    return path.slice(root.length + 1);
  }
  return path;
}

/**
 * One group of the Git section ("Staged", "Changes", "Untracked"): a heading with the bulk
 * action, then one row per file: its name (notebooks marked), its status and its actions.
 */
export function FileGroup(props: {
  kind: FileGroupKind;
  title: string;
  files: IGitFile[];
  model: GitModel;
  actions: IGitActions;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { kind, title, files, model, actions, trans } = props;
  if (files.length === 0) {
    return null;
  }
  const paths = files.map(f => f.path);
  const busy = model.busy !== null;
  const headingId = `jp-conveyor-git-${kind}`;
  return (
    <section
      className="jp-Conveyor-gitGroup"
      aria-labelledby={headingId}
      data-testid={`conveyor-git-${kind}`}
    >
      <h3 className="jp-Conveyor-gitGroupTitle" id={headingId}>
        <span>
          {title} <span className="jp-Conveyor-gitCount">{files.length}</span>
        </span>
        {kind === 'staged' ? (
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-Conveyor-gitBulk"
            disabled={busy}
            onClick={() => actions.unstage(paths)}
          >
            {trans.__('Unstage all')}
          </button>
        ) : (
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-Conveyor-gitBulk"
            disabled={busy}
            onClick={() => actions.stage(paths)}
            data-testid={`conveyor-git-stage-all-${kind}`}
          >
            {trans.__('Stage all')}
          </button>
        )}
      </h3>
      <ul className="jp-Conveyor-gitFiles">
        {files.map(file => (
          <FileRow key={`${kind}:${file.path}`} {...props} file={file} busy={busy} />
        ))}
      </ul>
    </section>
  );
}

function FileRow(props: {
  kind: FileGroupKind;
  file: IGitFile;
  busy: boolean;
  model: GitModel;
  actions: IGitActions;
  trans: TranslationBundle;
}): JSX.Element {
  const { kind, file, busy, model, actions, trans } = props;
  const notebook = isNotebookPath(file.path);
  const Icon = notebook ? notebookIcon : fileIcon;
  const name = display(file.path, model.repo?.root);
  const label = statusLabel(file.status, trans);
  const canDiff = file.status !== 'untracked' && file.status !== 'added';
  const button = (
    symbol: string,
    text: string,
    onClick: () => void,
    testid: string,
    cls = ''
  ) => (
    <button
      type="button"
      className={`jp-Button jp-mod-minimal jp-Conveyor-gitAction ${cls}`}
      disabled={busy}
      onClick={onClick}
      aria-label={text}
      title={text}
      data-testid={testid}
    >
      <span aria-hidden="true">{symbol}</span>
    </button>
  );
  return (
    <li
      className={`jp-Conveyor-gitFile jp-mod-${file.status}${notebook ? ' jp-mod-notebook' : ''}`}
      data-path={file.path}
      data-status={file.status}
      data-testid="conveyor-git-file"
    >
      <button
        type="button"
        className="jp-Conveyor-gitFileName"
        onClick={() => (canDiff ? actions.diff(file) : actions.open(file.path))}
        title={canDiff ? trans.__('Diff %1 with HEAD', name) : trans.__('Open %1', name)}
      >
        <Icon.react tag="span" className="jp-Conveyor-gitFileIcon" />
        <span className="jp-Conveyor-gitPath">{name}</span>
      </button>
      <span className="jp-Conveyor-gitActions">
        {kind === 'staged'
          ? button('−', trans.__('Unstage %1', name), () => actions.unstage([file.path]), 'conveyor-git-unstage')
          : button('+', trans.__('Stage %1', name), () => actions.stage([file.path]), 'conveyor-git-stage')}
        {kind === 'unstaged' &&
          button(
            '↺',
            trans.__('Discard changes to %1', name),
            () => actions.discard([file.path]),
            'conveyor-git-discard',
            'jp-mod-warn'
          )}
      </span>
      <span className={`jp-Conveyor-gitStatus jp-mod-${file.status}`} title={label}>
        <span aria-hidden="true">{STATUS_LETTER[file.status]}</span>
        <span className="jp-Conveyor-gitSrOnly">{label}</span>
      </span>
    </li>
  );
}
