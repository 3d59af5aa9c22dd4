import type { TranslationBundle } from '@jupyterlab/translation';

import type { RunStatus, RunStep } from '../../schema/generated/api';

export type StepStatus = RunStep['status'];
export type AnyStatus = RunStatus | StepStatus;

/**
 * A user-facing label for a run or step status (shown next to the icon: never colour alone).
 */
export function statusLabel(status: AnyStatus | string, trans: TranslationBundle): string {
  switch (status) {
    case 'pending':
      return trans.__('Pending');
    case 'queued':
      return trans.__('Queued');
    case 'running':
      return trans.__('Running');
    case 'succeeded':
      return trans.__('Succeeded');
    case 'failed':
      return trans.__('Failed');
    case 'cancelled':
      return trans.__('Cancelled');
    case 'skipped':
      return trans.__('Skipped');
    default:
      return status;
  }
}

/**
 * A glyph per status, so status reads without colour.
 */
export function statusGlyph(status: AnyStatus | string): string {
  switch (status) {
    case 'succeeded':
      return '✓';
    case 'failed':
      return '✕';
    case 'cancelled':
      return '⊘';
    case 'running':
      return '▶';
    case 'queued':
    case 'pending':
      return '…';
    case 'skipped':
      return '↷';
    default:
      return '•';
  }
}

export function isFinished(status: string): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

/**
 * Duration between two ISO dates (`end` defaults to now) as `1h 2m`, `3m 4s` or `5s`.
 */
export function formatDuration(
  start: string | null,
  end: string | null,
  now: number = Date.now()
): string {
  if (!start) {
    return '';
  }
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : now;
  if (Number.isNaN(from) || Number.isNaN(to)) {
    return '';
  }
  let seconds = Math.max(0, Math.round((to - from) / 1000));
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (hours) {
    return `${hours}h ${minutes}m`;
  }
  if (minutes) {
    return `${minutes}m ${seconds}s`;
  }
  return `${seconds}s`;
}

/**
 * A short local date-time: time only for today, else date and time.
 */
export function formatWhen(iso: string | null, now: Date = new Date()): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return '';
  }
  const sameDay = date.toDateString() === now.toDateString();
  return sameDay
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : date.toLocaleString([], {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit'
      });
}

export function formatBytes(size: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} ${units[0]}` : `${value.toFixed(1)} ${units[unit]}`;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-_]/g;

/**
 * Remove ANSI escape sequences (colours, cursor moves) from a traceback or log line.
 */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/**
 * A short form of a run id for labels. Ids start with their creation time, so runs made within
 * seconds of each other share a prefix: the random tail tells them apart.
 */
export function shortRunId(id: string): string {
  return id.length > 8 ? id.slice(-8) : id;
}
