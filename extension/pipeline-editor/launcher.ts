import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { Token } from '@lumino/coreutils';

/** The part of `@jupyterlab/launcher`'s ILauncher we use. */
interface ILauncherLike {
  add(item: { command: string; category?: string; rank?: number; args?: Record<string, unknown> }): unknown;
}

const LAUNCHER_TOKEN = '@jupyterlab/launcher:ILauncher';

/**
 * Add launcher items. `@jupyterlab/launcher` is not a dependency of this package (yet), so its
 * token is looked up by name among the application's services; when the launcher is absent
 * (or the lookup fails) the items are simply not added — the commands stay in the palette and
 * in File → New.
 */
export async function addToLauncher(
  app: JupyterFrontEnd,
  items: Array<{ command: string; rank: number }>
): Promise<void> {
  const services = (app as unknown as { pluginRegistry?: { _services?: Map<Token<unknown>, string> } })
    .pluginRegistry?._services;
  const token = services ? [...services.keys()].find(t => t.name === LAUNCHER_TOKEN) : undefined;
  if (!token) {
    return;
  }
  const launcher = (await app.resolveOptionalService(token).catch(() => null)) as ILauncherLike | null;
  for (const item of items) {
    launcher?.add({ command: item.command, category: 'Conveyor', rank: item.rank, args: { isLauncher: true } });
  }
}
