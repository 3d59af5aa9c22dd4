import type { Contents, ServerConnection } from '@jupyterlab/services';

import { ReadOnlyDrive } from '../core/readOnlyDrive';
import type { Fetcher } from './model';

/**
 * A read-only contents drive serving executed notebooks of runs:
 * `conveyor-runs:<runId>/<step>.ipynb` is `GET /runs/<runId>/steps/<step>/notebook`.
 * Opening one gives a regular notebook tab; saving it fails with a clear message.
 */
export class RunsDrive extends ReadOnlyDrive {
  constructor(options: RunsDrive.IOptions) {
    super(RunsDrive.NAME, options.serverSettings, options.readOnlyMessage ?? RunsDrive.READ_ONLY_MESSAGE);
    this._fetch = options.requestAPI;
  }

  async get(localPath: string, options?: Contents.IFetchOptions): Promise<Contents.IModel> {
    const parsed = RunsDrive.parse(localPath);
    if (!parsed) {
      throw new Error(`Not an executed notebook of a run: ${localPath}`);
    }
    const { runId, step } = parsed;
    const name = `${step}.ipynb`;
    const content =
      options?.content === false
        ? null
        : await this._fetch<unknown>(
            `runs/${encodeURIComponent(runId)}/steps/${encodeURIComponent(step)}/notebook`
          );
    const now = new Date().toISOString();
    return {
      name,
      path: `${runId}/${name}`,
      type: 'notebook',
      format: 'json',
      mimetype: 'application/x-ipynb+json',
      writable: false,
      created: now,
      last_modified: now,
      content
    };
  }

  async getDownloadUrl(localPath: string): Promise<string> {
    const parsed = RunsDrive.parse(localPath);
    if (!parsed) {
      throw new Error(`Not an executed notebook of a run: ${localPath}`);
    }
    return this.apiUrl(`runs/${encodeURIComponent(parsed.runId)}/steps/${encodeURIComponent(parsed.step)}/notebook`);
  }

  private _fetch: Fetcher;
}

export namespace RunsDrive {
  export const NAME = 'conveyor-runs';

  export const READ_ONLY_MESSAGE =
    'Executed notebooks of runs are read-only. Use File › Save Notebook As… to keep an editable copy.';

  export interface IOptions {
    requestAPI: Fetcher;
    serverSettings: ServerConnection.ISettings;
    readOnlyMessage?: string;
  }

  /**
   * The path to open for a run's step: `conveyor-runs:<runId>/<step>.ipynb`.
   */
  export function pathFor(runId: string, step: string): string {
    return `${NAME}:${runId}/${step}.ipynb`;
  }

  export function parse(localPath: string): { runId: string; step: string } | null {
    const match = /^\/?([^/]+)\/([^/]+)\.ipynb$/.exec(localPath);
    return match ? { runId: match[1], step: match[2] } : null;
  }
}
