import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal, refreshIcon } from '@jupyterlab/ui-components';
import React, { useState } from 'react';

import type { ServerStatus } from '../../schema/generated/api';
import type { ConnectionModel } from '../core/connection';
import {
  formatDocker,
  formatDockerDetails,
  formatGiB,
  formatGpus,
  formatMode,
  formatStoreKind
} from './format';

/**
 * The "Status" sidebar section: renders the ConnectionModel, never fetches by itself.
 */
export class StatusPanel extends ReactWidget {
  constructor(
    private readonly _model: ConnectionModel,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.id = 'jp-conveyor-status';
    this.addClass('jp-Conveyor-status');
    this.title.label = _trans.__('Status');
    this.title.caption = _trans.__('Conveyor server, Docker engine and capacity');
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this._model.changed} initialSender={this._model}>
        {() => <StatusView model={this._model} trans={this._trans} />}
      </UseSignal>
    );
  }
}

export interface IStatusViewProps {
  model: ConnectionModel;
  trans: TranslationBundle;
}

export function StatusView({ model, trans }: IStatusViewProps): JSX.Element {
  const [refreshing, setRefreshing] = useState(false);
  const { state, status, error } = model;
  const labels = {
    connected: trans.__('Connected'),
    connecting: trans.__('Connecting…'),
    disconnected: trans.__('Disconnected')
  };
  const onRefresh = () => {
    setRefreshing(true);
    void model.refresh().finally(() => setRefreshing(false));
  };
  return (
    <div
      className="jp-Conveyor-statusBody"
      role="region"
      aria-label={trans.__('Conveyor status')}
    >
      <div className="jp-Conveyor-statusHeader">
        <span
          className={`jp-Conveyor-badge jp-mod-${state}`}
          role="status"
          aria-live="polite"
          data-testid="conveyor-status-state"
        >
          {labels[state]}
        </span>
        {model.live && state === 'connected' && (
          <span
            className="jp-Conveyor-live"
            title={trans.__('Receiving live events from the server')}
          >
            {trans.__('live')}
          </span>
        )}
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-Conveyor-refresh"
          onClick={onRefresh}
          disabled={refreshing}
          aria-label={trans.__('Refresh Conveyor status')}
          title={trans.__('Refresh Conveyor status')}
          data-testid="conveyor-status-refresh"
        >
          <refreshIcon.react
            tag="span"
            className={refreshing ? 'jp-Conveyor-spin' : undefined}
          />
        </button>
      </div>
      {state === 'disconnected' && error && (
        <p className="jp-Conveyor-error" data-testid="conveyor-status-error">
          {trans.__('Disconnected: %1', error)}
        </p>
      )}
      {model.versionMismatch && (
        <div
          className="jp-Conveyor-warning"
          role="alert"
          data-testid="conveyor-version-warning"
        >
          {trans.__(
            'Extension %1 and server %2 differ — reinstall Conveyor so both come from the same release (pip install --upgrade jupyterlab-conveyor), then restart JupyterLab.',
            model.frontendVersion,
            model.serverVersion ?? ''
          )}
        </div>
      )}
      {status ? (
        <StatusDetails
          status={status}
          frontendVersion={model.frontendVersion}
          stale={state !== 'connected'}
          trans={trans}
        />
      ) : (
        state === 'connecting' && (
          <p className="jp-Conveyor-placeholder">
            {trans.__('Waiting for the Conveyor server…')}
          </p>
        )
      )}
      {model.lastUpdated && (
        <p className="jp-Conveyor-updated">
          {trans.__('Updated %1', model.lastUpdated.toLocaleTimeString())}
        </p>
      )}
    </div>
  );
}

interface IStatusDetailsProps {
  status: ServerStatus;
  frontendVersion: string;
  stale: boolean;
  trans: TranslationBundle;
}

function StatusDetails({
  status,
  frontendVersion,
  stale,
  trans
}: IStatusDetailsProps): JSX.Element {
  const { server, user, docker, capacity, store } = status;
  const capacitySource =
    capacity.source === 'docker'
      ? trans.__('as seen by the Docker engine')
      : trans.__('as seen by the host (engine unavailable)');
  return (
    <div
      className={`jp-Conveyor-details${stale ? ' jp-mod-stale' : ''}`}
      aria-label={stale ? trans.__('Last known status') : undefined}
    >
      <Group title={trans.__('Server')}>
        <Row id="extension-version" label={trans.__('Extension')}>
          {frontendVersion}
        </Row>
        <Row
          id="server-version"
          label={trans.__('Server')}
          title={trans.__('Node.js %1, started %2', server.node, server.startedAt)}
        >
          {server.version}
        </Row>
        <Row id="mode" label={trans.__('Mode')}>
          {formatMode(server.mode, trans)}
        </Row>
        <Row id="user" label={trans.__('User')}>
          {user.admin ? trans.__('%1 (admin)', user.name) : user.name}
        </Row>
      </Group>
      <Group title={trans.__('Docker engine')}>
        <Row
          id="docker"
          label={trans.__('Engine')}
          title={formatDockerDetails(docker, trans)}
          className={docker.state === 'running' ? 'jp-mod-ok' : 'jp-mod-error'}
        >
          {formatDocker(docker, trans)}
        </Row>
        {docker.containersRunning !== undefined && (
          <Row id="containers" label={trans.__('Containers')}>
            {trans.__('%1 running', docker.containersRunning)}
          </Row>
        )}
        {docker.images !== undefined && (
          <Row id="images" label={trans.__('Images')}>
            {String(docker.images)}
          </Row>
        )}
      </Group>
      <Group title={trans.__('Capacity')}>
        <Row id="cpus" label={trans.__('CPUs')} title={capacitySource}>
          {String(capacity.cpus)}
        </Row>
        <Row id="memory" label={trans.__('Memory')} title={capacitySource}>
          {formatGiB(capacity.memoryBytes, trans)}
        </Row>
        <Row id="gpus" label={trans.__('GPUs')}>
          {formatGpus(capacity.gpus, trans)}
        </Row>
      </Group>
      <Group title={trans.__('Store')}>
        <Row id="store" label={trans.__('Database')}>
          {formatStoreKind(store.kind, trans)}
        </Row>
        <Row id="store-location" label={trans.__('Location')} title={store.location}>
          {store.location}
        </Row>
        <Row id="schema-version" label={trans.__('Schema')}>
          {trans.__('v%1', store.schemaVersion)}
        </Row>
      </Group>
    </div>
  );
}

function Group({
  title,
  children
}: {
  title: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <section className="jp-Conveyor-group" aria-label={title}>
      <h3 className="jp-Conveyor-groupTitle">{title}</h3>
      <dl className="jp-Conveyor-list">{children}</dl>
    </section>
  );
}

interface IRowProps {
  id: string;
  label: string;
  title?: string;
  className?: string;
  children: React.ReactNode;
}

function Row({ id, label, title, className, children }: IRowProps): JSX.Element {
  return (
    <>
      <dt className="jp-Conveyor-term">{label}</dt>
      <dd
        className={`jp-Conveyor-value${className ? ` ${className}` : ''}`}
        title={title || undefined}
        data-testid={`conveyor-status-${id}`}
        data-test-id={`conveyor-status-${id}`}
      >
        {children}
      </dd>
    </>
  );
}
