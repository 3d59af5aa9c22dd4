import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { RequestHandler, Response } from 'express';
import type { Identity } from '../auth/identity';
import { identityOf } from '../auth/identity';
import { AppError } from '../core/errors';
import type { Logger } from '../core/logger';
import { PORT, WorkspaceEngine, type Live } from './engine';
import { landing, mayRequest, mayUpgrade, mayWake, ownLayout } from './scope';
import type { Row, WorkspaceAccess, WorkspaceService } from './service';

export const PROXY_PREFIX = '/conveyor/workspaces/';
/** The Jupyter base URL the request came through (sent by the Python proxy), e.g. `/user/ada/`. */
const BASE_HEADER = 'x-conveyor-base-url';
const BASE = /^\/(?:[A-Za-z0-9._~@-]+\/)*$/;
/** Pages larger than this are not rewritten but refused (502): a lab page is ~10 kB. */
const MAX_PAGE = 4 * 1024 * 1024;
const PATH = /^\/conveyor\/workspaces\/([^/?#]+)(\/[^?#]*)?/;
/** Headers the inner JupyterLab never sees: Conveyor's credentials, the outer session, the browser origin. */
const DROP = new Set([
  'host',
  'origin',
  'cookie',
  'authorization',
  'x-conveyor-secret',
  'x-conveyor-user',
  'x-xsrftoken',
  'connection',
  'upgrade',
  BASE_HEADER
]);

function upstreamHeaders(headers: IncomingHttpHeaders, live: Live): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !DROP.has(k)) out[k] = v;
  out.host = `${live.ip}:${PORT}`;
  out.authorization = `token ${live.token}`;
  return out;
}

const STARTING_PAGE = (name: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="2"><title>Starting ${name}</title></head>` +
  `<body><p role="status">Starting the workspace ${name}… this page reloads by itself.</p></body></html>`;

const STOPPED_PAGE = (name: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${name} is stopped</title></head>` +
  `<body><p role="alert">The owner has stopped the workspace ${name}. Ask them to start it, then reload this page.</p></body></html>`;

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);

/** A refusal both JupyterLab (it shows a top-level `message` in its dialogs) and Conveyor clients (`error`) read. */
const refusal = (code: string, message: string) => ({ code, message, error: { code, message } });
const READ_ONLY = refusal('workspace_read_only', 'This workspace was shared with you read-only: changes are not saved');

/** Resolves `/conveyor/workspaces/<id>/…` to a workspace the caller may reach and how (404 otherwise). */
async function resolve(service: WorkspaceService, identity: Identity, url: string): Promise<{ row: Row; how: WorkspaceAccess; rest: string }> {
  const m = PATH.exec(url);
  if (!m) throw AppError.notFound('No such workspace');
  const { row, access } = await service.getReachable(identity.user, m[1]);
  return { row, how: access, rest: m[2] ?? '' };
}

/** Starts a stopped workspace for a request that reached it (scale to zero); false when `how` may not. */
async function wake(service: WorkspaceService, row: Row, how: WorkspaceAccess): Promise<boolean> {
  if (row.status !== 'stopped' && row.status !== 'failed') return true;
  if (!mayWake(how)) return false;
  await service.start(row);
  return true;
}

/** The inner JupyterLab's answer headers the browser gets: not its cookies (they would shadow the outer `_xsrf`). */
function clientHeaders(answer: IncomingMessage): IncomingHttpHeaders {
  const headers = { ...answer.headers };
  delete headers['set-cookie'];
  return headers;
}

/** The Jupyter base URL of the request when it is not `/` (the inner pages then need rewriting). */
function jupyterBase(req: IncomingMessage): string | null {
  const raw = req.headers[BASE_HEADER];
  return typeof raw === 'string' && raw !== '/' && BASE.test(raw) ? raw : null;
}

/** Answers that name the inner base: pages, and kernelspecs (their logos' URLs). */
const namesBase = (rest: string, answer: IncomingMessage): boolean =>
  String(answer.headers['content-type'] ?? '').startsWith('text/html') || rest.startsWith('/api/kernelspecs');

/**
 * The inner JupyterLab runs at `/conveyor/workspaces/<id>/`; behind a Jupyter at `/user/ada/` the
 * browser reaches it at `/user/ada/conveyor/workspaces/<id>/`. Its pages (page config, script tags)
 * and kernelspecs (logo URLs) name its base: they are rewritten to the browser's; the rest is computed from those.
 */
function relayPage(answer: IncomingMessage, res: Response, id: string, base: string): void {
  const chunks: Buffer[] = [];
  let size = 0;
  answer.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_PAGE) chunks.push(chunk);
  });
  answer.on('end', () => {
    const inner = WorkspaceEngine.baseUrl(id);
    const outer = `${base}${inner.slice(1)}`;
    const body = size <= MAX_PAGE ? Buffer.from(Buffer.concat(chunks).toString('utf8').split(inner).join(outer), 'utf8') : Buffer.alloc(0);
    const headers = clientHeaders(answer);
    delete headers['content-length'];
    delete headers['transfer-encoding'];
    delete headers.etag;
    res.writeHead(size <= MAX_PAGE ? (answer.statusCode ?? 502) : 502, { ...headers, 'content-length': String(body.length) });
    res.end(body);
  });
}

const layoutParam = (url: string): string | null => new URL(url, 'http://x').searchParams.get('layout');

/** The HTTP half of the proxy (mounted at /conveyor/workspaces behind the auth middleware). */
export function proxyHandler(service: WorkspaceService, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    try {
      const identity = identityOf(req);
      const { row, how, rest } = await resolve(service, identity, req.originalUrl);
      if (rest === '' || rest === '/') {
        res.setHeader('Cache-Control', 'no-store');
        res.redirect(302, `${WorkspaceEngine.baseUrl(row.id)}${landing(how, identity.user.name, layoutParam(req.originalUrl))}`);
        return;
      }
      const own = ownLayout(how, identity.user.name, req.method, rest);
      if (own !== null) {
        res.setHeader('Cache-Control', 'no-store');
        res.redirect(302, `${WorkspaceEngine.baseUrl(row.id)}${own}`);
        return;
      }
      if (!mayRequest(how, identity.user.name, req.method, rest)) {
        res.status(403).json(READ_ONLY);
        return;
      }
      const live = await service.target(row);
      if (!live) {
        const html = req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
        res.setHeader('Cache-Control', 'no-store');
        if (!(await wake(service, row, how))) {
          const message = `The owner has stopped the workspace ${row.name}`;
          if (html) res.status(409).type('html').send(STOPPED_PAGE(escapeHtml(row.name)));
          else res.status(409).json(refusal('workspace_stopped', message));
          return;
        }
        res.setHeader('Retry-After', '2');
        if (html) {
          res.status(200).type('html').send(STARTING_PAGE(escapeHtml(row.name)));
        } else {
          // Expected while it starts: answered here, not logged as a server error.
          res.status(503).json({ error: { code: 'workspace_starting', message: `The workspace ${row.name} is starting; retry shortly` } });
        }
        return;
      }
      const base = jupyterBase(req);
      const headers = upstreamHeaders(req.headers, live);
      // Pages are rewritten (relayPage): they must come uncompressed.
      if (base) delete headers['accept-encoding'];
      const upstream = httpRequest({ host: live.ip, port: PORT, method: req.method, path: req.originalUrl, headers, agent: false }, answer => {
        if (base && namesBase(rest, answer) && !answer.headers['content-encoding']) {
          relayPage(answer, res, row.id, base);
          return;
        }
        res.writeHead(answer.statusCode ?? 502, clientHeaders(answer));
        answer.pipe(res);
      });
      // A connect that does not happen in 5 s is a dead container (its address no longer answers).
      upstream.on('socket', socket => {
        if (!socket.connecting) return;
        socket.setTimeout(5000, () => upstream.destroy(new Error('connect timeout')));
        socket.once('connect', () => socket.setTimeout(0));
      });
      upstream.on('error', err => {
        logger.warn({ workspace: row.id, err: err.message }, 'workspace proxy failed');
        void service.unreachable(row).catch(() => undefined);
        if (!res.headersSent) next(new AppError(502, 'workspace_unreachable', 'The workspace did not answer'));
        else res.destroy();
      });
      req.pipe(upstream);
    } catch (err) {
      next(err);
    }
  };
}

function refuse(socket: Duplex, status: number, message: string): void {
  socket.end(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** The websocket half: the hub authenticated the upgrade; pipe it to the inner JupyterLab. */
export function proxyUpgrade(service: WorkspaceService, logger: Logger) {
  return async (req: IncomingMessage, socket: Duplex, head: Buffer, identity: Identity): Promise<void> => {
    let live: Live | null;
    try {
      const { row, how, rest } = await resolve(service, identity, req.url ?? '');
      if (!mayUpgrade(how, rest)) {
        refuse(socket, 403, 'Forbidden');
        return;
      }
      live = await service.target(row);
      if (!live) {
        if (await wake(service, row, how)) refuse(socket, 503, 'Service Unavailable');
        else refuse(socket, 409, 'Conflict');
        return;
      }
    } catch (err) {
      refuse(socket, err instanceof AppError ? err.status : 500, err instanceof AppError && err.status === 404 ? 'Not Found' : 'Error');
      return;
    }
    const target = live;
    const upstream = connect(PORT, target.ip, () => {
      const headers = upstreamHeaders(req.headers, target);
      let text = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (const [k, v] of Object.entries(headers)) for (const one of Array.isArray(v) ? v : [v]) text += `${k}: ${one}\r\n`;
      text += 'Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n';
      upstream.write(text);
      if (head.length) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    const close = (): void => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', err => {
      logger.debug({ err: err.message }, 'workspace websocket closed');
      close();
    });
    socket.on('error', close);
    socket.on('close', close);
    upstream.on('close', close);
  };
}
