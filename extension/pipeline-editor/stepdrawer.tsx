import type { CommandRegistry } from '@lumino/commands';
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import type { Run, RunStep } from '../../schema/generated/api';
import { CommandIDs } from '../core/commands';
import { formatBytes, formatDuration, shortRunId, statusGlyph, statusLabel, stripAnsi } from '../runs/format';
import { LogView } from '../runs/logview';
import type { EditorRun } from './runstate';

interface IProps {
  run: Run;
  step: RunStep;
  editorRun: EditorRun;
  commands: CommandRegistry;
  apiUrl: (path: string) => string;
  trans: TranslationBundle;
  onClose: () => void;
}

/**
 * Below the canvas, for the step clicked during or after a run: its status, error, outputs
 * (downloadable) and live log, with links to the executed notebook and the whole run.
 */
export function StepDrawer({ run, step, editorRun, commands, apiUrl, trans, onClose }: IProps): JSX.Element {
  const base = `runs/${encodeURIComponent(run.id)}/steps/${encodeURIComponent(step.name)}`;
  const openArgs = { id: run.id, step: step.name };
  const log = editorRun.model?.log;
  return (
    <section className="jp-Conveyor-peDrawer" aria-label={trans.__('Step %1 of run %2', step.name, shortRunId(run.id))} data-testid="conveyor-pe-drawer">
      <header className="jp-Conveyor-peDrawerHeader">
        <strong>{step.name}</strong>
        <span className={`jp-Conveyor-peDrawerStatus jp-mod-${step.status}`}>
          {`${statusGlyph(step.status)} ${statusLabel(step.status, trans)}`}
        </span>
        {step.startedAt && <span className="jp-Conveyor-runMeta">{formatDuration(step.startedAt, step.finishedAt)}</span>}
        <span className="jp-Conveyor-peSpacer" />
        <button
          type="button"
          className="jp-Button jp-mod-styled"
          disabled={!commands.isEnabled(CommandIDs.openExecutedNotebook, openArgs)}
          onClick={() => void commands.execute(CommandIDs.openExecutedNotebook, openArgs)}
        >
          {trans.__('Executed notebook')}
        </button>
        <button type="button" className="jp-Button jp-mod-styled" onClick={() => void commands.execute(CommandIDs.openRun, { id: run.id })}>
          {trans.__('Open run %1', shortRunId(run.id))}
        </button>
        <button type="button" className="jp-Button jp-mod-styled" aria-label={trans.__('Close the step log')} onClick={onClose}>
          ✕
        </button>
      </header>
      {step.error && (
        <p className="jp-Conveyor-peDrawerError" role="alert">
          {step.error.ename ? `${step.error.ename}: ${stripAnsi(step.error.evalue ?? '')}` : step.error.message}
        </p>
      )}
      {step.outputs.length > 0 && (
        <ul className="jp-Conveyor-peOutputs" aria-label={trans.__('Outputs')}>
          {step.outputs.map(o => (
            <li key={o.name}>
              <a
                className="jp-Conveyor-link"
                href={apiUrl(`${base}/outputs/${o.name.split('/').map(encodeURIComponent).join('/')}`)}
                download={o.name.split('/').pop()}
              >
                {o.name}
              </a>{' '}
              <span className="jp-Conveyor-runMeta">{formatBytes(o.size)}</span>
            </li>
          ))}
        </ul>
      )}
      {log && log.step === step.name && <LogView log={log} trans={trans} downloadUrl={apiUrl(`${base}/logs`)} />}
    </section>
  );
}
