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
/** A registration shorter than this (ms) shows only its outcome, no progress notification. */
const QUIET = 400;
/** How long (ms) the progress notification stays up before it turns into the outcome. */
const SHOWN = 300;

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Registers a version with its hashing progress in an in-progress notification (shown once the
 * registration takes longer than QUIET ms), which turns into a success or an error notification
 * with the server's message at the end. Resolves with the version, or null on failure.
 *
 * A toast changed before it is on screen keeps its first content (the update is lost), so the
 * progress toast is only touched once it has been up for a while.
 */
export async function registerWithProgress(
  request: RegisterRequest,
  settings: ServerConnection.ISettings,
  trans: TranslationBundle
): Promise<DatasetVersion | null> {
  const title = trans.__('Registering %1 as %2', request.path || '/', request.name);
  let id: string | null = null;
  let shownAt = 0;
  let text = `${title}…`;
  const timer = window.setTimeout(() => {
    id = Notification.emit(text, 'in-progress', { autoClose: false });
    shownAt = Date.now();
  }, QUIET);
  let last = 0;
  const finish = async (message: string, type: 'success' | 'error', autoClose: number | false) => {
    window.clearTimeout(timer);
    if (id === null) {
      Notification.emit(message, type, { autoClose });
      return;
    }
    await sleep(Math.max(0, shownAt + SHOWN - Date.now()));
    Notification.update({ id, message, type, autoClose });
  };
  try {
    const version = await registerVersion(
      request,
      event => {
        text = `${title}: ${progressText(event, trans)}`;
        const now = Date.now();
        if (id !== null && now - shownAt >= SHOWN && now - last >= THROTTLE) {
          last = now;
          Notification.update({ id, message: text, type: 'in-progress' });
        }
      },
      settings
    );
    const files = trans._n('%1 file', '%1 files', version.files);
    await finish(
      trans.__('Registered %1@%2 (%3, %4)', request.name, version.id, files, formatBytes(version.bytes)),
      'success',
      5000
    );
    return version;
  } catch (error) {
    await finish(trans.__('Could not register %1: %2', request.path || '/', messageOf(error)), 'error', false);
    return null;
  }
}
