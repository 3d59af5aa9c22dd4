import type { Contents, ServerConnection } from '@jupyterlab/services';

import { ReadOnlyDrive } from '../core/readOnlyDrive';
import { GitAPI } from './api';
import { dirOf, type Fetcher, isNotebookPath } from './types';

/**
 * A read-only contents drive serving past versions of files from git:
 * `conveyor-git:<ref>/<workspace path>` is `GET /git/show?ref=<ref>&path=<workspace path>`.
 * Opening one gives a regular notebook (or editor) tab; saving fails with a clear message.
 */
export class GitDrive extends ReadOnlyDrive {
  constructor(options: GitDrive.IOptions) {
    super(GitDrive.NAME, options.serverSettings, options.readOnlyMessage ?? GitDrive.READ_ONLY_MESSAGE);
    this._api = new GitAPI(options.requestAPI);
  }

  async get(localPath: string, options?: Contents.IFetchOptions): Promise<Contents.IModel> {
    const parsed = GitDrive.parse(localPath);
    if (!parsed) {
      throw new Error(`Not a git version of a file: ${localPath}`);
    }
    const { ref, path } = parsed;
    const notebook = isNotebookPath(path);
    let content: unknown = null;
    let binary = false;
    if (options?.content !== false) {
      const shown = await this._api.show(dirOf(path) || '.', ref, path);
      binary = shown.encoding === 'base64';
      content = notebook && !binary ? JSON.parse(shown.content) : shown.content;
    }
    const now = new Date().toISOString();
    return {
      name: path.slice(path.lastIndexOf('/') + 1),
      path: `${ref}/${path}`,
      type: notebook ? 'notebook' : 'file',
      format: notebook ? 'json' : binary ? 'base64' : 'text',
      mimetype: notebook ? 'application/x-ipynb+json' : 'text/plain',
      writable: false,
      created: now,
      last_modified: now,
      content
    };
  }

  async getDownloadUrl(localPath: string): Promise<string> {
    const parsed = GitDrive.parse(localPath);
    if (!parsed) {
      throw new Error(`Not a git version of a file: ${localPath}`);
    }
    const q = new URLSearchParams({ repo: dirOf(parsed.path) || '.', ref: parsed.ref, path: parsed.path });
    return this.apiUrl(`git/show?${q}`);
  }

  private _api: GitAPI;
}

export namespace GitDrive {
  export const NAME = 'conveyor-git';

  export const READ_ONLY_MESSAGE =
    'Past versions from git are read-only. Restore the version from its history to edit it, or use File › Save As… to keep a copy.';

  export interface IOptions {
    requestAPI: Fetcher;
    serverSettings: ServerConnection.ISettings;
    readOnlyMessage?: string;
  }

  /** The path to open for a file at a commit: `conveyor-git:<ref>/<path>`. */
  export function pathFor(ref: string, path: string): string {
    return `${NAME}:${ref}/${path.replace(/^\/+/, '')}`;
  }

  export function parse(localPath: string): { ref: string; path: string } | null {
    const match = /^\/?([^/]+)\/(.+)$/.exec(localPath);
    return match ? { ref: match[1], path: match[2] } : null;
  }
}
