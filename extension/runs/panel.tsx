import type { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import React, { useEffect, useRef, useState } from 'react';

import type { Run, RunStatus } from '../../schema/generated/api';
import { SectionPanel } from '../core/sectionPanel';
import { formatDuration, formatWhen, statusGlyph, statusLabel } from './format';
import type { RunsModel } from './model';

const STATUSES: RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

/**
 * The "Runs" sidebar section: renders the RunsModel, never fetches by itself.
 */
export class RunsPanel extends SectionPanel<RunsPanel.IOptions> {
  constructor(options: RunsPanel.IOptions) {
    super(options, {
      id: 'jp-conveyor-runs',
      label: options.trans.__('Runs'),
      caption: options.trans.__('Your pipeline and notebook runs')
    });
  }

  protected renderView(): JSX.Element {
    return <RunsView {...this._options} />;
  }
}

export namespace RunsPanel {
  export interface IOptions {
    model: RunsModel;
    trans: TranslationBundle;
    onOpen: (id: string) => void;
    onDiff: () => void;
  }
}

export function RunsView({ model, trans, onOpen, onDiff }: RunsPanel.IOptions): JSX.Element {
  const runs = model.filtered;
  const listRef = useRef<HTMLUListElement>(null);
  const [, setTick] = useState(0);
  const anyRunning = runs.some(r => r.status === 'running' || r.status === 'queued');
  useEffect(() => {
    // Durations of running runs tick once a second.
    if (!anyRunning) {
      return;
    }
    const timer = window.setInterval(() => setTick(t => t + 1), 1000);
    return () => window.clearInterval(timer);
  }, [anyRunning]);
  useEffect(() => {
    // Keep the selected row in view (e.g. right after a submit).
    const row = listRef.current?.querySelector('.jp-mod-selected');
    (row as HTMLElement | null)?.scrollIntoView?.({ block: 'nearest' });
  }, [model.selectedId]);

  const move = (delta: number) => {
    if (!runs.length) {
      return;
    }
    const index = runs.findIndex(r => r.id === model.selectedId);
    const next = Math.min(runs.length - 1, Math.max(0, index + delta));
    model.selectedId = runs[index === -1 ? 0 : next].id;
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    const selected = model.selectedId;
    switch (event.key) {
      case 'ArrowDown':
        move(1);
        break;
      case 'ArrowUp':
        move(-1);
        break;
      case 'Home':
        move(-runs.length);
        break;
      case 'End':
        move(runs.length);
        break;
      case 'Enter':
        if (selected) {
          onOpen(selected);
        }
        break;
      case ' ':
        if (selected) {
          model.toggleChecked(selected);
        }
        break;
      default:
        return;
    }
    event.preventDefault();
  };
  const onRowClick = (event: React.MouseEvent, run: Run) => {
    if (event.ctrlKey || event.metaKey) {
      model.toggleChecked(run.id);
      return;
    }
    model.selectedId = run.id;
    onOpen(run.id);
  };

  return (
    <div className="jp-Conveyor-runsBody">
      <div className="jp-Conveyor-runsToolbar">
        <input
          type="search"
          className="jp-Conveyor-input jp-Conveyor-runsSearch"
          placeholder={trans.__('Filter by name')}
          aria-label={trans.__('Filter runs by name')}
          value={model.query}
          onChange={e => (model.query = e.target.value)}
          data-testid="conveyor-runs-filter"
        />
        <select
          className="jp-Conveyor-input"
          aria-label={trans.__('Filter runs by status')}
          value={model.statusFilter}
          onChange={e => (model.statusFilter = e.target.value as RunStatus | '')}
          data-testid="conveyor-runs-status-filter"
        >
          <option value="">{trans.__('All')}</option>
          {STATUSES.map(s => (
            <option key={s} value={s}>
              {statusLabel(s, trans)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
          onClick={() => void model.refresh()}
          aria-label={trans.__('Refresh runs')}
          title={trans.__('Refresh runs')}
        >
          <refreshIcon.react tag="span" />
        </button>
      </div>
      {model.checked.length > 0 && (
        <div className="jp-Conveyor-runsDiffBar" role="status">
          <span>
            {model.checked.length === 2
              ? trans.__('2 runs checked')
              : trans.__('Check one more run to compare')}
          </span>
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-accept"
            disabled={model.checked.length !== 2}
            onClick={onDiff}
            data-testid="conveyor-runs-diff"
          >
            {trans.__('Diff notebooks')}
          </button>
        </div>
      )}
      {model.error && (
        <p className="jp-Conveyor-error" role="alert">
          {model.error}
        </p>
      )}
      {runs.length === 0 ? (
        <p className="jp-Conveyor-placeholder jp-Conveyor-runsEmpty">
          {model.runs.length === 0
            ? trans.__('No runs yet. Right-click a notebook and choose “Submit to training…”.')
            : trans.__('No run matches the filters.')}
        </p>
      ) : (
        <ul
          ref={listRef}
          className="jp-Conveyor-runList"
          role="listbox"
          tabIndex={0}
          aria-label={trans.__('Runs')}
          aria-activedescendant={
            model.selectedId ? `jp-conveyor-run-${model.selectedId}` : undefined
          }
          onKeyDown={onKeyDown}
          data-testid="conveyor-runs-list"
        >
          {runs.map(run => (
            <RunRow
              key={run.id}
              run={run}
              trans={trans}
              selected={run.id === model.selectedId}
              checked={model.checked.includes(run.id)}
              onToggle={() => model.toggleChecked(run.id)}
              onClick={e => onRowClick(e, run)}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

interface IRunRowProps {
  run: Run;
  trans: TranslationBundle;
  selected: boolean;
  checked: boolean;
  onToggle: () => void;
  onClick: (event: React.MouseEvent) => void;
}

function RunRow({ run, trans, selected, checked, onToggle, onClick }: IRunRowProps) {
  const started = run.startedAt ?? run.createdAt;
  return (
    <li
      id={`jp-conveyor-run-${run.id}`}
      role="option"
      aria-selected={selected}
      className={`jp-Conveyor-runRow${selected ? ' jp-mod-selected' : ''}`}
      onClick={onClick}
      data-run-id={run.id}
      data-status={run.status}
      data-testid="conveyor-run-row"
    >
      <input
        type="checkbox"
        className="jp-Conveyor-runCheck"
        checked={checked}
        tabIndex={-1}
        aria-label={trans.__('Compare %1', run.name)}
        title={trans.__('Check two runs to diff their executed notebooks')}
        onClick={e => e.stopPropagation()}
        onChange={onToggle}
      />
      <StatusPill status={run.status} trans={trans} />
      <span className="jp-Conveyor-runName" title={`${run.name} (${run.id})`}>
        {run.name}
      </span>
      <span className="jp-Conveyor-runMeta">
        <span title={trans.__('Started')}>{formatWhen(started)}</span>
        <span title={trans.__('Duration')}>
          {formatDuration(run.startedAt, run.finishedAt)}
        </span>
      </span>
    </li>
  );
}

export function StatusPill({
  status,
  trans
}: {
  status: string;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <span
      className={`jp-Conveyor-statusPill jp-mod-${status}`}
      data-testid="conveyor-status-pill"
    >
      <span className="jp-Conveyor-statusGlyph" aria-hidden="true">
        {statusGlyph(status)}
      </span>
      {statusLabel(status, trans)}
    </span>
  );
}
