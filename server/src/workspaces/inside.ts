import { AsyncResource } from 'node:async_hooks';
import { constants, accessSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import type { RequestHandler } from 'express';
import type { Identity } from '../auth/identity';
import { identityOf } from '../auth/identity';
import { AppError } from '../core/errors';
import type { Logger } from '../core/logger';
import { withWorkspaceRoot, type InsideWorkspace } from '../core/workspace';
import type { EventHub } from '../events/hub';
import { WS_PATH } from '../events/hub';
import type { WorkspaceService } from './service';

/**
 * Conveyor inside a workspace (docs/workspaces.md): the labextension in a workspace's JupyterLab
 * calls `<inner base>/conveyor/…` = `/conveyor/workspaces/<id>/conveyor/…`. Those requests come
 * from the caller's browser through the outer Jupyter (login and XSRF checked there) and are
 * answered here, by this server's own routes, as the caller (their runs, experiments, datasets),
 * with the workspace's home volume as the folder user files are read from (owner and collaborate
 * links; view links may not read them: 403 workspace_read_only). The inner JupyterLab never sees
 * them: its server extension runs in workspace mode (CONVEYOR_WORKSPACE_ID) and adds no route.
 */
export const INSIDE_PATH = /^\/conveyor\/workspaces\/([^/?#]+)\/conveyor(\/[^?#]*)?(\?.*)?$/;
/** The event stream of a workspace's labextension; registered on the hub before the proxy's prefix. */
export const INSIDE_WS_PATH = /^\/conveyor\/workspaces\/[^/?#]+\/conveyor\/api\/v1\/ws$/;

/** The folder a Docker named volume is stored in (readable when this server runs as root). */
async function mountpointOf(docker: Docker, volume: string): Promise<string> {
  const info = (await docker.getVolume(volume).inspect()) as { Mountpoint?: string };
  if (!info.Mountpoint) throw new Error(`volume ${volume} has no mountpoint`);
  accessSync(info.Mountpoint, constants.R_OK | constants.X_OK);
  return info.Mountpoint;
}

/** How a request from inside workspace `id` is answered, for `identity` (404 when they may not reach it). */
async function contextFor(service: WorkspaceService, docker: Docker, logger: Logger, identity: Identity, id: string): Promise<InsideWorkspace> {
  const { row, access } = await service.getReachable(identity.user, id);
  if (access === 'view') {
    const refusal = new AppError(403, 'workspace_read_only', `A view link to the workspace ${row.name} does not let you read its files`, { workspace: id });
    return { id, access, refusal };
  }
  try {
    return { id, access, root: await mountpointOf(docker, row.volume) };
  } catch (err) {
    logger.warn({ workspace: id, volume: row.volume, err: String(err) }, 'workspace home volume unreadable');
    const refusal = new AppError(
      503,
      'workspace_files_unavailable',
      `The Conveyor server cannot read the home volume of the workspace ${row.name}: it must run as root (or be able to read Docker's volumes)`,
      { workspace: id }
    );
    return { id, access, refusal };
  }
}

function parse(url: string): { id: string; rest: string } | null {
  const m = INSIDE_PATH.exec(url);
  if (!m) return null;
  const rest = m[2] ?? '/';
  // Not a way into another workspace (or this one again) from inside one.
  if (rest === '/workspaces' || rest.startsWith('/workspaces/')) throw AppError.notFound('No such Conveyor route inside a workspace');
  return { id: m[1], rest: `/conveyor${rest}${m[3] ?? ''}` };
}

/**
 * Mounted at /conveyor/workspaces behind the auth middleware, before the proxy: answers
 * `/conveyor/workspaces/<id>/conveyor/<rest>` as `/conveyor/<rest>` through this app again, inside
 * `withWorkspaceRoot`; everything else goes on to the proxy.
 */
export function insideHandler(service: WorkspaceService, logger: Logger, docker: Docker = new Docker()): RequestHandler {
  return async (req, res, next) => {
    try {
      const target = parse(req.originalUrl);
      if (!target) {
        next();
        return;
      }
      const context = await contextFor(service, docker, logger, identityOf(req), target.id);
      withWorkspaceRoot(context, () => {
        // The request's 'data'/'end' events run in the context of the socket that read them; the JSON
        // parser (raw-body) rebinds its callback itself, routes reading the body as a stream (uploads)
        // do not: bind the events to this context.
        req.emit = AsyncResource.bind(req.emit.bind(req)) as typeof req.emit;
        req.url = target.rest;
        req.originalUrl = target.rest;
        req.baseUrl = '';
        (req.app as unknown as { handle: (rq: typeof req, rs: typeof res, done: (err?: unknown) => void) => void }).handle(req, res, next);
      });
    } catch (err) {
      next(err);
    }
  };
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** The websocket half: the hub authenticated the upgrade; serve the caller's own event stream. */
export function insideUpgrade(service: WorkspaceService, hub: () => EventHub | undefined) {
  return async (req: IncomingMessage, socket: Duplex, head: Buffer, identity: Identity): Promise<void> => {
    const url = req.url ?? '';
    const id = /^\/conveyor\/workspaces\/([^/?#]+)\//.exec(url)?.[1] ?? '';
    try {
      await service.getReachable(identity.user, id);
    } catch {
      refuse(socket, 404, 'Not Found');
      return;
    }
    const events = hub();
    if (!events) {
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    const query = url.indexOf('?');
    req.url = WS_PATH + (query >= 0 ? url.slice(query) : '');
    events.accept(req, socket, head, identity);
  };
}
