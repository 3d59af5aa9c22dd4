import { MainAreaWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import type { CommandRegistry } from '@lumino/commands';
import React from 'react';

import type { Run, RunStep } from '../../schema/generated/api';
import { CommandIDs } from '../core/commands';
import { DagView } from './dag';
import { formatBytes, formatDuration, formatWhen, shortRunId, stripAnsi } from './format';
import { LogView } from './logview';
import { StatusPill } from './panel';
import type { RunModel } from './runmodel';

export interface IRunViewOptions {
  model: RunModel;
  trans: TranslationBundle;
  commands: CommandRegistry;
  /** URL of an API path, for download links. */
  apiUrl: (path: string) => string;
  onOpenRun: (id: string) => void;
}

/**
 * The main-area view of one run: header, DAG, and the selected step's log, error and outputs.
 */
export class RunView extends MainAreaWidget<RunBody> {
  constructor(options: IRunViewOptions) {
    super({ content: new RunBody(options) });
    this.model = options.model;
    this.id = RunView.widgetId(options.model.id);
    this.addClass('jp-Conveyor-runView');
    this.title.label = options.trans.__('Run %1', shortRunId(options.model.id));
    this.title.closable = true;
    this.model.changed.connect(() => {
      const run = this.model.run;
      if (run) {
        this.title.label = run.name;
        this.title.caption = options.trans.__('Run %1 (%2)', run.name, run.id);
      }
    });
  }

  readonly model: RunModel;

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }
}

export namespace RunView {
  export function widgetId(runId: string): string {
    return `jp-conveyor-run-${runId}`;
  }
}

export class RunBody extends ReactWidget {
  constructor(private readonly _options: IRunViewOptions) {
    super();
    this.addClass('jp-Conveyor-runBody');
  }

  render(): JSX.Element {
    const { model } = this._options;
    return (
      <UseSignal signal={model.changed} initialSender={model}>
        {() => <RunDetails {...this._options} />}
      </UseSignal>
    );
  }
}

function RunDetails(props: IRunViewOptions): JSX.Element {
  const { model, trans } = props;
  const run = model.run;
  if (!run) {
    return model.error ? (
      <p className="jp-Conveyor-error" role="alert">
        {model.error}
      </p>
    ) : (
      <p className="jp-Conveyor-placeholder">{trans.__('Loading run…')}</p>
    );
  }
  const step = model.selectedStep;
  return (
    <div className="jp-Conveyor-run" data-run-id={run.id} data-status={run.status}>
      <RunHeader {...props} run={run} />
      {model.error && <p className="jp-Conveyor-warning">{model.error}</p>}
      {run.sweep && <SweepTable run={run} {...props} />}
      {run.steps.length > 0 && (
        <section className="jp-Conveyor-runSection" aria-label={trans.__('Steps')}>
          <DagView
            steps={run.steps}
            selected={step?.name ?? null}
            onSelect={name => model.selectStep(name)}
            trans={trans}
          />
        </section>
      )}
      {step && <StepDetails {...props} run={run} step={step} />}
    </div>
  );
}

function RunHeader({ run, trans, commands, onOpenRun }: IRunViewOptions & { run: Run }) {
  const args = { id: run.id };
  const button = (command: string, label: string, testid: string) => (
    <button
      type="button"
      className="jp-Button jp-mod-styled jp-mod-reject jp-Conveyor-runAction"
      disabled={!commands.isEnabled(command, args)}
      onClick={() => void commands.execute(command, args)}
      data-testid={testid}
    >
      {label}
    </button>
  );
  return (
    <header className="jp-Conveyor-runHeader">
      <div className="jp-Conveyor-runTitle">
        <h2 data-testid="conveyor-run-name">{run.name}</h2>
        <StatusPill status={run.status} trans={trans} />
        <span className="jp-Conveyor-runActions">
          {button(CommandIDs.cancelRun, trans.__('Cancel'), 'conveyor-run-cancel')}
          {button(CommandIDs.resumeRun, trans.__('Resume'), 'conveyor-run-resume')}
          {button(CommandIDs.rerunRun, trans.__('Rerun'), 'conveyor-run-rerun')}
          <ShareButton commands={commands} trans={trans} run={run} />
        </span>
      </div>
      <dl className="jp-Conveyor-list jp-Conveyor-runFacts">
        <dt className="jp-Conveyor-term">{trans.__('Run')}</dt>
        <dd className="jp-Conveyor-value jp-Conveyor-mono">{run.id}</dd>
        <dt className="jp-Conveyor-term">{trans.__('Owner')}</dt>
        <dd className="jp-Conveyor-value">{run.owner}</dd>
        <dt className="jp-Conveyor-term">{trans.__('Experiment')}</dt>
        <dd className="jp-Conveyor-value">{run.experiment}</dd>
        <dt className="jp-Conveyor-term">{trans.__('Created')}</dt>
        <dd className="jp-Conveyor-value">
          {formatWhen(run.createdAt)}
          {run.startedAt &&
            ` · ${trans.__('ran %1', formatDuration(run.startedAt, run.finishedAt))}`}
        </dd>
        {run.source?.path && (
          <>
            <dt className="jp-Conveyor-term">{trans.__('Source')}</dt>
            <dd className="jp-Conveyor-value" data-testid="conveyor-run-source">
              {run.source.path}
              {run.source.gitCommit && (
                <span className="jp-Conveyor-mono" title={run.source.gitCommit}>
                  {' '}
                  @{' '}
                  {commands.hasCommand(CommandIDs.gitOpenVersion) ? (
                    <a
                      href="#"
                      className="jp-Conveyor-link"
                      title={trans.__('Open the notebook as of commit %1 (read-only)', run.source.gitCommit)}
                      onClick={e => {
                        e.preventDefault();
                        void commands.execute(CommandIDs.gitOpenVersion, {
                          path: run.source!.path!,
                          ref: run.source!.gitCommit!
                        });
                      }}
                      data-testid="conveyor-run-git-commit"
                    >
                      {run.source.gitCommit.slice(0, 10)}
                    </a>
                  ) : (
                    run.source.gitCommit.slice(0, 10)
                  )}
                </span>
              )}
            </dd>
          </>
        )}
        {run.resumedFrom && (
          <>
            <dt className="jp-Conveyor-term">{trans.__('Resumed from')}</dt>
            <dd className="jp-Conveyor-value">
              <a
                href="#"
                className="jp-Conveyor-link jp-Conveyor-mono"
                onClick={e => {
                  e.preventDefault();
                  onOpenRun(run.resumedFrom!);
                }}
              >
                {run.resumedFrom}
              </a>
            </dd>
          </>
        )}
        {Object.keys(run.params ?? {}).length > 0 && (
          <>
            <dt className="jp-Conveyor-term">{trans.__('Parameters')}</dt>
            <dd className="jp-Conveyor-value jp-Conveyor-mono">
              {Object.entries(run.params)
                .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
                .join(', ')}
            </dd>
          </>
        )}
      </dl>
      {run.error && run.status === 'failed' && (
        <p className="jp-Conveyor-error">{stripAnsi(run.error)}</p>
      )}
    </header>
  );
}

/** "Share…" (a read-only link to this run), for its owner only (`conveyor:share` decides). */
function ShareButton({ commands, trans, run }: { commands: CommandRegistry; trans: TranslationBundle; run: Run }) {
  const args = { kind: 'run', target: { id: run.id }, label: run.name, owner: run.owner };
  if (!commands.hasCommand(CommandIDs.share) || !commands.isVisible(CommandIDs.share, args)) {
    return null;
  }
  return (
    <button
      type="button"
      className="jp-Button jp-mod-styled jp-mod-reject jp-Conveyor-runAction"
      onClick={() => void commands.execute(CommandIDs.share, args)}
      aria-label={trans.__('Share run %1…', run.name)}
      title={trans.__('Create a read-only link to this run for signed-in users')}
      data-testid="conveyor-run-share"
    >
      {trans.__('Share…')}
    </button>
  );
}

function SweepTable({ run, trans, onOpenRun }: IRunViewOptions & { run: Run }) {
  const children = run.sweep!.children;
  const keys = [...new Set(children.flatMap(c => Object.keys(c.params ?? {})))];
  return (
    <section className="jp-Conveyor-runSection" aria-label={trans.__('Sweep')}>
      <h3 className="jp-Conveyor-groupTitle">
        {trans.__('Sweep: %1 runs, %2 at a time', children.length, run.sweep!.maxParallel)}
      </h3>
      <table className="jp-Conveyor-table" data-testid="conveyor-sweep-children">
        <thead>
          <tr>
            <th scope="col">{trans.__('Status')}</th>
            {keys.map(k => (
              <th key={k} scope="col" className="jp-Conveyor-mono">
                {k}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {children.map(child => (
            <tr
              key={child.id}
              tabIndex={0}
              className="jp-Conveyor-clickable"
              onClick={() => onOpenRun(child.id)}
              onKeyDown={e => e.key === 'Enter' && onOpenRun(child.id)}
              aria-label={trans.__('Open run %1', child.id)}
            >
              <td>
                <StatusPill status={child.status} trans={trans} />
              </td>
              {keys.map(k => (
                <td key={k} className="jp-Conveyor-mono">
                  {JSON.stringify((child.params as Record<string, unknown>)[k])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function StepDetails(props: IRunViewOptions & { run: Run; step: RunStep }) {
  const { run, step, trans, commands, apiUrl, model, onOpenRun } = props;
  const base = `runs/${encodeURIComponent(run.id)}/steps/${encodeURIComponent(step.name)}`;
  const openArgs = { id: run.id, step: step.name };
  return (
    <section
      className="jp-Conveyor-runSection jp-Conveyor-step"
      aria-label={trans.__('Step %1', step.name)}
      data-testid="conveyor-step-details"
    >
      <div className="jp-Conveyor-stepHeader">
        <h3>{step.name}</h3>
        <StatusPill status={step.status} trans={trans} />
        {step.startedAt && (
          <span className="jp-Conveyor-runMeta">
            {formatDuration(step.startedAt, step.finishedAt)}
          </span>
        )}
        {step.queuePosition != null && (
          <span className="jp-Conveyor-runMeta">
            {trans.__('position %1 in queue', step.queuePosition)}
          </span>
        )}
        {step.cachedFrom && (
          <a
            href="#"
            className="jp-Conveyor-link"
            onClick={e => {
              e.preventDefault();
              onOpenRun(step.cachedFrom!);
            }}
          >
            {trans.__('cached from run %1', shortRunId(step.cachedFrom))}
          </a>
        )}
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-accept jp-Conveyor-openNotebook"
          disabled={!commands.isEnabled(CommandIDs.openExecutedNotebook, openArgs)}
          onClick={() => void commands.execute(CommandIDs.openExecutedNotebook, openArgs)}
          data-testid="conveyor-open-executed"
        >
          {trans.__('Open executed notebook')}
        </button>
      </div>
      {step.error && <StepError error={step.error} oom={!!step.oomKilled} trans={trans} />}
      {step.outputs.length > 0 && (
        <div>
          <h4 className="jp-Conveyor-groupTitle">{trans.__('Outputs')}</h4>
          <ul className="jp-Conveyor-outputs" data-testid="conveyor-step-outputs">
            {step.outputs.map(o => (
              <li key={o.name}>
                <a
                  className="jp-Conveyor-link"
                  href={apiUrl(`${base}/outputs/${o.name.split("/").map(encodeURIComponent).join("/")}`)}
                  download={o.name.split('/').pop()}
                >
                  {o.name}
                </a>
                <span className="jp-Conveyor-runMeta">{formatBytes(o.size)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <h4 className="jp-Conveyor-groupTitle">{trans.__('Log')}</h4>
      {model.log && (
        <LogView log={model.log} trans={trans} downloadUrl={apiUrl(`${base}/logs`)} />
      )}
    </section>
  );
}

function StepError({
  error,
  oom,
  trans
}: {
  error: NonNullable<RunStep['error']>;
  oom: boolean;
  trans: TranslationBundle;
}) {
  return (
    <div className="jp-Conveyor-stepError" role="alert" data-testid="conveyor-step-error">
      <p className="jp-Conveyor-stepErrorTitle">
        {error.cellIndex != null && (
          <span className="jp-Conveyor-cellRef">
            {trans.__('Cell %1', error.cellIndex + 1)}
          </span>
        )}
        {error.ename ? (
          <strong className="jp-Conveyor-mono">
            {error.ename}: {stripAnsi(error.evalue ?? '')}
          </strong>
        ) : (
          <strong>{stripAnsi(error.message)}</strong>
        )}
        {oom && <span>{trans.__(' — out of memory')}</span>}
      </p>
      {error.traceback && error.traceback.length > 0 && (
        <pre className="jp-Conveyor-traceback">
          {error.traceback.map(stripAnsi).join('\n')}
        </pre>
      )}
      {!error.traceback?.length && error.lastLines && error.lastLines.length > 0 && (
        <pre className="jp-Conveyor-traceback">
          {error.lastLines.map(stripAnsi).join('\n')}
        </pre>
      )}
    </div>
  );
}
