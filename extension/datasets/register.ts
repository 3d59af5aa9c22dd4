import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_PREFIX, ConveyorAPIError, toError } from '../core/api';
import type { DatasetVersion, RegisterEvent, RegisterRequest } from './types';

export type ProgressEvent = Extract<RegisterEvent, { type: 'progress' }>;

/**
 * Splits a stream of NDJSON chunks into parsed lines; a line may span chunks. Blank lines are
 * skipped; a line that is not JSON is an error (the stream is broken).
 */
export class LineSplitter {
  push(chunk: string): unknown[] {
    this._rest += chunk;
    const lines = this._rest.split('\n');
    this._rest = lines.pop() ?? '';
    return lines.filter(l => l.trim()).map(l => JSON.parse(l));
  }

  /** What is left once the stream ends. */
  end(): unknown[] {
    const rest = this._rest;
    this._rest = '';
    return rest.trim() ? [JSON.parse(rest)] : [];
  }

  private _rest = '';
}

/**
 * Registers a workspace path as a dataset version (`POST /datasets/versions`), reading the
 * NDJSON progress stream (`Accept: application/x-ndjson`) and calling `onProgress` for each
 * progress line. Resolves with the new version; rejects with the server's message (a
 * ConveyorAPIError carrying its code) when the request or the stream reports an error.
 */
export async function registerVersion(
  body: RegisterRequest,
  onProgress: (event: ProgressEvent) => void,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<DatasetVersion> {
  const url = URLExt.join(settings.baseUrl, API_PREFIX, 'datasets/versions');
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      url,
      {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json', Accept: 'application/x-ndjson' }
      },
      settings
    );
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  if (!response.ok) {
    const text = await response.text();
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      // Plain text: toError shows it.
    }
    throw toError(response, data);
  }
  const type = response.headers.get('Content-Type') ?? '';
  if (!type.includes('ndjson')) {
    // A server that answers the whole version at once.
    const data = JSON.parse(await response.text()) as { version?: DatasetVersion } & DatasetVersion;
    return data.version ?? data;
  }
  const splitter = new LineSplitter();
  let version: DatasetVersion | null = null;
  const handle = (events: unknown[]) => {
    for (const event of events as RegisterEvent[]) {
      if (event.type === 'progress') {
        onProgress(event);
      } else if (event.type === 'done') {
        version = event.version;
      } else if (event.type === 'error') {
        throw new ConveyorAPIError(response, event.error.message, event.error.code ?? 'unknown');
      }
    }
  };
  const decoder = new TextDecoder();
  if (response.body && typeof response.body.getReader === 'function') {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      handle(splitter.push(decoder.decode(value, { stream: true })));
    }
    handle(splitter.push(decoder.decode()));
  } else {
    handle(splitter.push(await response.text()));
  }
  handle(splitter.end());
  if (!version) {
    throw new ServerConnection.ResponseError(response, 'The server ended the upload without a version.');
  }
  return version;
}

/** Splits "a, b c" into tags; an empty list for blank input. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map(t => t.trim()).filter(Boolean))];
}

/** A dataset name suggested for a workspace path: its last part, cleaned up. */
export function suggestName(path: string): string {
  const last = path.replace(/\/+$/, '').split('/').pop() ?? '';
  const stem = last.replace(/\.(csv|parquet|tsv|json|jsonl)$/i, '');
  return stem
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 64);
}
