import { Notification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { ISignal } from '@lumino/signaling';

import type { ServerEvent } from '../../schema/generated/api';
import { formatMoney } from './panel';

/**
 * A budget `alert` event: a budget crossed a threshold (a fraction: 0.5, 0.8, 1).
 */
export type BudgetAlertEvent = Extract<ServerEvent, { type: 'alert' }>;

/**
 * The notification text, e.g. "You have used 80% of your monthly budget ($40.00 of $50.00)."
 */
export function alertText(alert: BudgetAlertEvent, trans: TranslationBundle): string {
  const percent = Math.round(alert.threshold * 100);
  const spent = formatMoney(alert.spent);
  const limit = formatMoney(alert.limit);
  switch (alert.scope) {
    case 'user':
      return trans.__('You have used %1% of your monthly budget (%2 of %3).', percent, spent, limit);
    case 'team':
      return trans.__(
        'Team %1 has used %2% of its monthly budget (%3 of %4).',
        alert.name,
        percent,
        spent,
        limit
      );
    default:
      return trans.__(
        'Project %1 has used %2% of its monthly budget (%3 of %4).',
        alert.name,
        percent,
        spent,
        limit
      );
  }
}

/**
 * Show budget alerts (50/80/100 %) as JupyterLab notifications: a warning below 100 %, an error
 * from 100 % (new work is refused then). Each threshold of a budget is announced once per page.
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
    if (event.type !== 'alert') {
      return;
    }
    const key = `${event.scope}/${event.name}/${event.period}/${event.threshold}`;
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
    const text = alertText(event, trans);
    if (event.threshold >= 1) {
      Notification.error(text, { actions, autoClose: false });
    } else {
      Notification.warning(text, { actions, autoClose: 10_000 });
    }
  };
  events.connect(onEvent);
  return () => events.disconnect(onEvent);
}
