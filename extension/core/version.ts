// The bundler (and jest) resolve package.json relative to this module: lib/core and extension/core
// both sit two levels below the package root.
declare function require(id: string): unknown;

/**
 * Version of this frontend extension, from package.json.
 */
export const FRONTEND_VERSION = (require('../../package.json') as { version: string })
  .version;

/**
 * Whether the frontend and the companion server come from different releases.
 * Versions compare exactly (a leading `v` ignored), as jupyterlab-git's handshake does.
 */
export function versionsDiffer(frontend: string, server: string): boolean {
  const clean = (v: string) => v.trim().replace(/^v/, '');
  return clean(frontend) !== clean(server);
}
