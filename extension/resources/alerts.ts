import { Notification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { ISignal } from '@lumino/signaling';

import type { ServerEvent } from '../../schema/generated/api';
import { formatMoney } from './panel';

/**
 * What a budget `alert` event says, normalised (the server sends alerts to the user concerned).
 */
export interface IBudgetAlert {
  percent: number;
  used: number | null;
  limit: number | null;
  currency: string;
  scope: string;
  message: string;
}

export function readAlert(event: unknown): IBudgetAlert | null {
  const e = (event ?? {}) as Record<string, unknown>;
  if (e.type !== 'alert') {
    return null;
  }
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  // A percentage (50, 80, 100) or a fraction (0.5, 0.8, 1).
  const raw = num(e.percent) ?? num(e.threshold) ?? num(e.fraction);
  if (raw === null) {
    return null;
  }
  return {
    percent: raw <= 1.5 ? raw * 100 : raw,
    used: num(e.used) ?? num(e.cost),
    limit: num(e.limit) ?? num(e.budget),
    currency: typeof e.currency === 'string' ? e.currency : 'USD',
    scope: typeof e.scope === 'string' ? e.scope : '',
    message: typeof e.message === 'string' ? e.message : ''
  };
}

export function alertText(alert: IBudgetAlert, trans: TranslationBundle): string {
  const percent = Math.round(alert.percent);
  if (alert.used !== null && alert.limit !== null) {
    return trans.__(
      'You have used %1% of your monthly budget (%2 of %3).',
      percent,
      formatMoney(alert.used, alert.currency),
      formatMoney(alert.limit, alert.currency)
    );
  }
  return alert.message || trans.__('You have used %1% of your monthly budget.', percent);
}

/**
 * Show budget alerts (50/80/100 %) as JupyterLab notifications: a warning below 100 %, an error
 * from 100 %. Each threshold is announced once per page.
 *
 * @returns a function that stops the notifications
 */
export function notifyBudgetAlerts(
  events: ISignal<unknown, ServerEvent>,
  trans: TranslationBundle,
  openResources: () => void
): () => void {
  const seen = new Set<string>();
  const onEvent = (_: unknown, event: ServerEvent) => {
    const alert = readAlert(event);
    if (!alert) {
      return;
    }
    const key = `${alert.scope}/${Math.round(alert.percent)}`;
    if (seen.has(key)) {
      return;
    }
    seen.add(key);
    const actions = [
      {
        label: trans.__('Show usage'),
        caption: trans.__('Open the Resources section'),
        callback: openResources
      }
    ];
    const text = alertText(alert, trans);
    if (alert.percent >= 100) {
      Notification.error(text, { actions, autoClose: false });
    } else {
      Notification.warning(text, { actions, autoClose: 10_000 });
    }
  };
  events.connect(onEvent);
  return () => events.disconnect(onEvent);
}
