import { Notification } from '@jupyterlab/apputils';
import type { ServerConnection } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';

import { formatBytes } from '../runs/format';
import { messageOf } from './api';
import type { ProgressEvent } from './register';
import { registerVersion } from './register';
import type { DatasetVersion, RegisterRequest } from './types';

/** Progress as a sentence: "12 of 40 files, 1.2 MiB of 3.0 MiB (30%)". */
export function progressText(event: ProgressEvent, trans: TranslationBundle): string {
  const files = event.totalFiles
    ? trans.__('%1 of %2 files', event.files, event.totalFiles)
    : trans._n('%1 file', '%1 files', event.files);
  const bytes = event.totalBytes
    ? trans.__('%1 of %2', formatBytes(event.bytes), formatBytes(event.totalBytes))
    : formatBytes(event.bytes);
  const percent = event.totalBytes ? ` (${Math.floor((100 * event.bytes) / event.totalBytes)}%)` : '';
  return `${files}, ${bytes}${percent}`;
}

/** How often the notification's text may change (ms): progress lines come much faster. */
const THROTTLE = 250;

/**
 * Registers a version while an in-progress notification shows the hashing progress; it turns
 * into a success or an error notification (with the server's message) at the end. Resolves with
 * the version, or null on failure.
 */
export async function registerWithProgress(
  request: RegisterRequest,
  settings: ServerConnection.ISettings,
  trans: TranslationBundle
): Promise<DatasetVersion | null> {
  const title = trans.__('Registering %1 as %2', request.path || '/', request.name);
  const id = Notification.emit(`${title}…`, 'in-progress', { autoClose: false });
  let last = 0;
  try {
    const version = await registerVersion(
      request,
      event => {
        const now = Date.now();
        if (now - last >= THROTTLE) {
          last = now;
          Notification.update({ id, message: `${title}: ${progressText(event, trans)}`, type: 'in-progress' });
        }
      },
      settings
    );
    // A new notification rather than an update: an update of a toast that has not been shown
    // yet (a small folder registers within a frame) is lost, leaving a spinner forever.
    Notification.dismiss(id);
    const files = trans._n('%1 file', '%1 files', version.files);
    Notification.success(
      trans.__('Registered %1@%2 (%3, %4)', request.name, version.id, files, formatBytes(version.bytes)),
      { autoClose: 5000 }
    );
    return version;
  } catch (error) {
    Notification.dismiss(id);
    Notification.error(trans.__('Could not register %1: %2', request.path || '/', messageOf(error)), {
      autoClose: false
    });
    return null;
  }
}
