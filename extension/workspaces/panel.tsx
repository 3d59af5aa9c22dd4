import type { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, launchIcon } from '@jupyterlab/ui-components';
import React from 'react';

import type { Workspace } from '../../schema/generated/api';
import { RefreshButton, SectionError, SectionPanel } from '../core/sectionPanel';
import { accessOf, type WorkspaceAction, type WorkspacesModel } from './model';
import { formatAge, formatCost } from './start';

/**
 * The "Workspaces" sidebar section: renders the WorkspacesModel, never fetches by itself.
 */
export class WorkspacesPanel extends SectionPanel<WorkspacesPanel.IOptions> {
  constructor(options: WorkspacesPanel.IOptions) {
    super(options, {
      id: 'jp-conveyor-workspaces',
      label: options.trans.__('Workspaces'),
      caption: options.trans.__('Your managed workspaces: JupyterLab in a container of its own')
    });
  }

  protected renderView(): JSX.Element {
    return <WorkspacesView {...this._options} />;
  }
}

export namespace WorkspacesPanel {
  export interface IOptions {
    model: WorkspacesModel;
    trans: TranslationBundle;
    onNew: () => void;
    onOpen: (workspace: Workspace) => void;
    onAction: (workspace: Workspace, action: WorkspaceAction) => void;
    onShare: (workspace: Workspace) => void;
    onDelete: (workspace: Workspace) => void;
  }
}

export function statusText(status: Workspace['status'], trans: TranslationBundle): string {
  switch (status) {
    case 'running':
      return trans.__('Running');
    case 'starting':
      return trans.__('Starting…');
    case 'stopping':
      return trans.__('Stopping…');
    case 'failed':
      return trans.__('Failed');
    default:
      return trans.__('Stopped');
  }
}

export function WorkspacesView(props: WorkspacesPanel.IOptions): JSX.Element {
  const { model, trans, onNew } = props;
  const workspaces = model.mine;
  const shared = model.shared;
  return (
    <div className="jp-Conveyor-workspacesBody" aria-busy={model.loading}>
      <div className="jp-Conveyor-runsToolbar">
        <span className="jp-Conveyor-workspacesCount">
          {workspaces.length > 0 && trans._n('%1 workspace', '%1 workspaces', workspaces.length)}
        </span>
        <RefreshButton label={trans.__('Refresh workspaces')} onClick={() => void model.refresh()} />
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
          onClick={onNew}
          aria-label={trans.__('Start a workspace…')}
          title={trans.__('Start a workspace…')}
          data-testid="conveyor-workspace-new"
        >
          <addIcon.react tag="span" />
        </button>
      </div>
      <SectionError error={model.error} />
      {workspaces.length === 0 && shared.length === 0 && !model.loading && !model.error && (
        <div className="jp-Conveyor-placeholder">
          <p>{trans.__('No workspace yet. A workspace is JupyterLab in a container of your own, with the image and resources you choose.')}</p>
          <button type="button" className="jp-Button jp-mod-styled jp-mod-accept" onClick={onNew}>
            {trans.__('Start a workspace…')}
          </button>
        </div>
      )}
      <ul className="jp-Conveyor-workspaceList" aria-label={trans.__('Workspaces')}>
        {workspaces.map(w => (
          <WorkspaceRow key={w.id} workspace={w} {...props} />
        ))}
      </ul>
      {shared.length > 0 && (
        <>
          <h3 className="jp-Conveyor-workspacesHeading" id="jp-conveyor-workspaces-shared">
            {trans.__('Shared with me')}
          </h3>
          <ul
            className="jp-Conveyor-workspaceList"
            aria-labelledby="jp-conveyor-workspaces-shared"
            data-testid="conveyor-workspaces-shared"
          >
            {shared.map(w => (
              <SharedRow key={w.id} workspace={w} {...props} />
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/** The scope a share link gave: view (read-only) or collaborate. */
function ScopeBadge(props: { access: 'view' | 'collaborate'; trans: TranslationBundle }): JSX.Element {
  const { access, trans } = props;
  const label = access === 'collaborate' ? trans.__('Collaborate') : trans.__('View only');
  const hint =
    access === 'collaborate'
      ? trans.__('Shared with you: you may edit files and run kernels and terminals')
      : trans.__('Shared with you read-only: you may open files and notebooks, not change or run them');
  return (
    <span className={`jp-Conveyor-scopeBadge jp-mod-${access}`} title={hint} data-testid="conveyor-workspace-scope">
      {label}
    </span>
  );
}

/** A workspace shared with the caller: open it; the owner's actions are not offered. */
function SharedRow(props: WorkspacesPanel.IOptions & { workspace: Workspace }): JSX.Element {
  const { workspace: w, trans, onOpen } = props;
  const access = accessOf(w) === 'collaborate' ? 'collaborate' : 'view';
  return (
    <li
      className={`jp-Conveyor-workspace jp-mod-shared jp-mod-${w.status}`}
      data-id={w.id}
      data-name={w.name}
      data-status={w.status}
      data-access={access}
      data-testid="conveyor-workspace"
      aria-label={trans.__('%1 of %2, %3', w.name, w.owner, statusText(w.status, trans))}
    >
      <div className="jp-Conveyor-workspaceHead">
        <span className="jp-Conveyor-workspaceDot" aria-hidden="true" />
        <button
          type="button"
          className="jp-Conveyor-workspaceName"
          onClick={() => onOpen(w)}
          title={trans.__('Open %1 of %2 in a new browser tab', w.name, w.owner)}
          data-testid="conveyor-workspace-open"
        >
          {w.name}
          <launchIcon.react tag="span" className="jp-Conveyor-workspaceLaunch" />
        </button>
        <ScopeBadge access={access} trans={trans} />
        <span className="jp-Conveyor-workspaceStatus" role="status" data-testid="conveyor-workspace-status">
          {statusText(w.status, trans)}
        </span>
      </div>
      <div className="jp-Conveyor-workspaceMeta">
        <span title={trans.__('Owner')}>{trans.__('by %1', w.owner)}</span>
        <span className="jp-Conveyor-workspaceImage" title={trans.__('Image: %1', w.image)}>
          {w.image}
        </span>
        <span title={trans.__('Resource profile')}>{w.profile}</span>
      </div>
      {w.error && (
        <p className="jp-Conveyor-error" role="alert">
          {w.error}
        </p>
      )}
    </li>
  );
}

function WorkspaceRow(props: WorkspacesPanel.IOptions & { workspace: Workspace }): JSX.Element {
  const { workspace: w, model, trans, onOpen, onAction, onShare, onDelete } = props;
  const busy = model.isBusy(w.id) || w.status === 'starting' || w.status === 'stopping';
  const live = w.status === 'running';
  const button = (label: string, onClick: () => void, options: { testid: string; disabled?: boolean; warn?: boolean; title?: string }) => (
    <button
      type="button"
      className={`jp-Button jp-mod-minimal jp-Conveyor-workspaceAction${options.warn ? ' jp-mod-warn' : ''}`}
      onClick={onClick}
      disabled={options.disabled}
      title={options.title ?? label}
      aria-label={`${label} ${w.name}`}
      data-testid={options.testid}
    >
      {label}
    </button>
  );
  return (
    <li
      className={`jp-Conveyor-workspace jp-mod-${w.status}`}
      data-id={w.id}
      data-name={w.name}
      data-status={w.status}
      data-testid="conveyor-workspace"
      aria-label={trans.__('%1, %2', w.name, statusText(w.status, trans))}
    >
      <div className="jp-Conveyor-workspaceHead">
        <span className="jp-Conveyor-workspaceDot" aria-hidden="true" />
        <button
          type="button"
          className="jp-Conveyor-workspaceName"
          onClick={() => onOpen(w)}
          title={trans.__('Open %1 in a new browser tab', w.name)}
          data-testid="conveyor-workspace-open"
        >
          {w.name}
          <launchIcon.react tag="span" className="jp-Conveyor-workspaceLaunch" />
        </button>
        <span className="jp-Conveyor-workspaceStatus" role="status" data-testid="conveyor-workspace-status">
          {statusText(w.status, trans)}
        </span>
      </div>
      <div className="jp-Conveyor-workspaceMeta">
        <span className="jp-Conveyor-workspaceImage" title={trans.__('Image: %1', w.image)}>
          {w.image}
        </span>
        <span title={trans.__('Resource profile')}>{w.profile}</span>
        <span title={trans.__('Created %1', w.createdAt)}>{trans.__('%1 old', formatAge(w.ageSeconds))}</span>
        <span title={trans.__('Cost so far')} data-testid="conveyor-workspace-cost">
          {formatCost(w.cost)}
        </span>
      </div>
      {w.error && (
        <p className="jp-Conveyor-error" role="alert">
          {w.error}
        </p>
      )}
      <div className="jp-Conveyor-workspaceActions" role="group" aria-label={trans.__('Actions on %1', w.name)}>
        {live || w.status === 'stopping'
          ? button(trans.__('Stop'), () => onAction(w, 'stop'), { testid: 'conveyor-workspace-stop', disabled: busy, title: trans.__('Stop (your home volume is kept)') })
          : button(trans.__('Start'), () => onAction(w, 'start'), { testid: 'conveyor-workspace-start', disabled: busy })}
        {button(trans.__('Restart'), () => onAction(w, 'restart'), { testid: 'conveyor-workspace-restart', disabled: busy || !live })}
        {button(trans.__('Share…'), () => onShare(w), { testid: 'conveyor-workspace-share' })}
        {button(trans.__('Delete…'), () => onDelete(w), { testid: 'conveyor-workspace-delete', disabled: model.isBusy(w.id), warn: true })}
      </div>
    </li>
  );
}
