import { Notification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { ISignal } from '@lumino/signaling';

import type { ServerEvent } from '../../schema/generated/api';
import { shortRunId } from './format';

/**
 * Toast when one of the user's runs finishes (the server sends `run` events to the owner only).
 * Each run is announced once per page, however many events repeat its final status.
 *
 * @returns a function that stops the notifications
 */
export function notifyRunsFinished(
  events: ISignal<unknown, ServerEvent>,
  trans: TranslationBundle,
  open: (runId: string) => void
): () => void {
  const announced = new Set<string>();
  const onEvent = (_: unknown, event: ServerEvent) => {
    if (event.type !== 'run' || event.step || announced.has(event.runId)) {
      return;
    }
    const name = event.name || shortRunId(event.runId);
    const actions = [
      {
        label: trans.__('Open'),
        caption: trans.__('Open the run'),
        callback: () => open(event.runId)
      }
    ];
    if (event.status === 'succeeded') {
      announced.add(event.runId);
      Notification.success(trans.__('Run %1 succeeded', name), {
        actions,
        autoClose: 8000
      });
    } else if (event.status === 'failed') {
      announced.add(event.runId);
      const lines = (event.error ?? '').trim().split('\n').slice(-3).join('\n');
      Notification.error(
        lines ? trans.__('Run %1 failed: %2', name, lines) : trans.__('Run %1 failed', name),
        { actions, autoClose: false }
      );
    }
  };
  events.connect(onEvent);
  return () => events.disconnect(onEvent);
}
