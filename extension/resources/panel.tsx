import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import type { BudgetState, QueuedStep, ResourceProfile } from '../../schema/generated/api';
import { RefreshButton, SectionError, SectionPanel } from '../core/sectionPanel';
import { formatBytes, shortRunId } from '../runs/format';
import { UsageChart } from './chart';
import type { ResourcesModel } from './model';
import { BUDGET_MARKS, IMeter, IResourcesView } from './view';

/**
 * The "Resources" sidebar section: renders the ResourcesModel, never fetches by itself.
 */
export class ResourcesPanel extends SectionPanel<ResourcesPanel.IOptions> {
  constructor(options: ResourcesPanel.IOptions) {
    super(options, {
      id: 'jp-conveyor-resources',
      label: options.trans.__('Resources'),
      caption: options.trans.__('Capacity, queue, profiles and your usage')
    });
  }

  protected renderView(): JSX.Element {
    return <ResourcesView {...this._options} />;
  }
}

export namespace ResourcesPanel {
  export interface IOptions {
    model: ResourcesModel;
    trans: TranslationBundle;
    onOpenRun: (id: string) => void;
  }
}

export function formatMoney(amount: number, currency = 'USD'): string {
  return currency === 'USD' ? `$${amount.toFixed(2)}` : `${amount.toFixed(2)} ${currency}`;
}

export function ResourcesView({ model, trans, onOpenRun }: ResourcesPanel.IOptions): JSX.Element {
  const view = model.view;
  return (
    <div className="jp-Conveyor-resourcesBody">
      <div className="jp-Conveyor-runsToolbar">
        <span className="jp-Conveyor-resourcesHeading">{trans.__('Capacity')}</span>
        <RefreshButton label={trans.__('Refresh resources')} onClick={() => void model.refresh()} />
      </div>
      <SectionError error={model.error} />
      {!view && !model.error && (
        <p className="jp-Conveyor-placeholder">{trans.__('Loading…')}</p>
      )}
      {view && <Capacity view={view} trans={trans} />}
      {view && <Queue view={view} trans={trans} onOpenRun={onOpenRun} />}
      <Profiles model={model} trans={trans} />
      {view && <Usage model={model} view={view} trans={trans} />}
    </div>
  );
}

function meterText(meter: IMeter, trans: TranslationBundle): [string, string] {
  switch (meter.kind) {
    case 'cpus':
      return [trans.__('CPUs'), trans.__('%1 of %2 reserved', meter.used, meter.total)];
    case 'memory':
      return [
        trans.__('Memory'),
        trans.__('%1 of %2 reserved', formatBytes(meter.used), formatBytes(meter.total))
      ];
    default:
      return [trans.__('GPUs'), trans.__('%1 of %2 reserved', meter.used, meter.total)];
  }
}

function Capacity({ view, trans }: { view: IResourcesView; trans: TranslationBundle }) {
  return (
    <ul className="jp-Conveyor-meters" aria-label={trans.__('Capacity')}>
      {view.capacity.map(meter => {
        const [label, text] = meterText(meter, trans);
        const fraction = meter.total > 0 ? Math.min(1, meter.used / meter.total) : 0;
        return (
          <li key={meter.kind} className="jp-Conveyor-meter" data-testid={`conveyor-capacity-${meter.kind}`}>
            <span className="jp-Conveyor-meterLabel">{label}</span>
            <span className="jp-Conveyor-meterValue" data-testid="conveyor-meter-value">
              {meter.total === 0 && meter.kind === 'gpus' ? trans.__('none') : text}
            </span>
            {meter.total > 0 && (
              <div
                className="jp-Conveyor-meterBar"
                role="meter"
                aria-label={`${label}: ${text}`}
                aria-valuemin={0}
                aria-valuemax={meter.total}
                aria-valuenow={meter.used}
              >
                <div className="jp-Conveyor-meterFill" style={{ width: `${fraction * 100}%` }} />
              </div>
            )}
          </li>
        );
      })}
      {view.capacity.length === 0 && (
        <li className="jp-Conveyor-warning">{trans.__('The container engine is unavailable.')}</li>
      )}
      {!view.fromResources && (
        <li className="jp-Conveyor-note">
          {trans.__('This server reports the engine capacity only.')}
        </li>
      )}
    </ul>
  );
}

function Queue({
  view,
  trans,
  onOpenRun
}: {
  view: IResourcesView;
  trans: TranslationBundle;
  onOpenRun: (id: string) => void;
}) {
  return (
    <section aria-label={trans.__('Queue')}>
      <h3 className="jp-Conveyor-resourcesHeading">{trans.__('Queue')}</h3>
      {view.queue.length === 0 ? (
        <p className="jp-Conveyor-placeholder" data-testid="conveyor-queue-empty">
          {trans.__('Nothing is waiting.')}
        </p>
      ) : (
        <table className="jp-Conveyor-queue" data-testid="conveyor-queue">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{trans.__('Run')}</th>
              <th scope="col">{trans.__('Waiting for')}</th>
            </tr>
          </thead>
          <tbody>
            {view.queue.map(entry => (
              <tr
                key={`${entry.runId}/${entry.step}`}
                data-run-id={entry.runId}
                data-testid="conveyor-queue-row"
              >
                <td data-testid="conveyor-queue-position">{entry.position}</td>
                <td>
                  <button
                    type="button"
                    className="jp-Conveyor-link"
                    onClick={() => onOpenRun(entry.runId)}
                    title={trans.__('Open run %1', entry.runId)}
                  >
                    {shortRunId(entry.runId)}
                    {entry.step ? ` / ${entry.step}` : ''}
                  </button>
                  {entry.owner && <span className="jp-Conveyor-queueOwner"> {entry.owner}</span>}
                </td>
                <td data-testid="conveyor-queue-reason" data-reason={entry.reason}>
                  {entry.message || reasonText(entry.reason, trans)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function reasonText(reason: QueuedStep['reason'], trans: TranslationBundle): string {
  switch (reason) {
    case 'quota':
      return trans.__('your quota');
    case 'retry':
      return trans.__('a retry');
    default:
      return trans.__('capacity');
  }
}

export function profileSummary(p: ResourceProfile, trans: TranslationBundle): string {
  return trans.__(
    '%1 CPU · %2 · %3 GPU · %4/h',
    p.cpus,
    p.memory,
    p.gpus,
    formatMoney(p.pricePerHour)
  );
}

function Profiles({ model, trans }: { model: ResourcesModel; trans: TranslationBundle }) {
  if (model.profiles.length === 0) {
    return null;
  }
  return (
    <fieldset className="jp-Conveyor-profiles" data-testid="conveyor-profiles">
      <legend className="jp-Conveyor-resourcesHeading">{trans.__('Profile for next submission')}</legend>
      {model.profiles.map(p => (
        <label key={p.name} className="jp-Conveyor-profile" title={p.description ?? ''}>
          <input
            type="radio"
            name="jp-conveyor-profile"
            value={p.name}
            checked={model.profile === p.name}
            onChange={() => (model.profile = p.name)}
          />
          <span className="jp-Conveyor-profileName">{p.name}</span>
          <span className="jp-Conveyor-profileSpec">{profileSummary(p, trans)}</span>
        </label>
      ))}
    </fieldset>
  );
}

function budgetTitle(budget: BudgetState, trans: TranslationBundle): string {
  switch (budget.scope) {
    case 'user':
      return trans.__('User %1', budget.name);
    case 'team':
      return trans.__('Team %1', budget.name);
    default:
      return trans.__('Project %1', budget.name);
  }
}

function BudgetBar({ budget, trans }: { budget: BudgetState; trans: TranslationBundle }) {
  const percent = Math.round(budget.fraction * 100);
  const level = budget.fraction >= 1 ? ' jp-mod-over' : budget.fraction >= 0.8 ? ' jp-mod-warn' : '';
  const text = trans.__(
    '%1 of %2 (%3%)',
    formatMoney(budget.spent),
    formatMoney(budget.limit),
    percent
  );
  return (
    <li className="jp-Conveyor-meter" data-testid="conveyor-budget">
      <span className="jp-Conveyor-meterLabel">{budgetTitle(budget, trans)}</span>
      <span className="jp-Conveyor-meterValue">{text}</span>
      <div
        className="jp-Conveyor-budgetBar"
        role="meter"
        aria-label={`${budgetTitle(budget, trans)}: ${text}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div
          className={`jp-Conveyor-meterFill${level}`}
          style={{ width: `${Math.min(1, budget.fraction) * 100}%` }}
        />
        {BUDGET_MARKS.map(mark => (
          <span
            key={mark}
            className="jp-Conveyor-budgetMark"
            style={{ left: `${mark * 100}%` }}
            title={`${mark * 100}%`}
          />
        ))}
      </div>
    </li>
  );
}

function Usage({
  model,
  view,
  trans
}: {
  model: ResourcesModel;
  view: IResourcesView;
  trans: TranslationBundle;
}) {
  if (!view.fromResources) {
    return null;
  }
  const budgets = model.budgets;
  const own = budgets.find(b => b.scope === 'user' && b.name === (model.user || model.me));
  return (
    <section aria-label={trans.__('Usage this month')}>
      <h3 className="jp-Conveyor-resourcesHeading">{trans.__('Usage this month')}</h3>
      {model.admin && (
        <label className="jp-Conveyor-resourcesUser">
          {trans.__('User')}{' '}
          <select
            className="jp-Conveyor-input"
            value={model.user}
            onChange={e => (model.user = e.target.value)}
            aria-label={trans.__('Show the usage of')}
            data-testid="conveyor-usage-user"
          >
            <option value="">{trans.__('Me')}</option>
            <option value="*">{trans.__('Everyone')}</option>
            {view.users
              .filter(u => u !== model.me)
              .map(u => (
                <option key={u} value={u}>
                  {u}
                </option>
              ))}
          </select>
        </label>
      )}
      <p className="jp-Conveyor-usageText" data-testid="conveyor-usage-text">
        {own
          ? trans.__('%1 spent of a %2 budget', formatMoney(model.usageTotal), formatMoney(own.limit))
          : trans.__('%1 spent, no personal budget', formatMoney(model.usageTotal))}
      </p>
      {budgets.length > 0 && (
        <ul className="jp-Conveyor-meters" aria-label={trans.__('Budgets')}>
          {budgets.map(b => (
            <BudgetBar key={`${b.scope}/${b.name}`} budget={b} trans={trans} />
          ))}
        </ul>
      )}
      <UsageChart
        days={model.usageDays}
        budget={own?.limit ?? null}
        format={amount => formatMoney(amount)}
        trans={trans}
      />
    </section>
  );
}
