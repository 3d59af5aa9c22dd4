#!/usr/bin/env node
// A real Git smart-HTTP server for tests and benches: `git http-backend` (CGI, from the git
// package) behind a tiny Node web server on loopback, with HTTP basic auth.
//
//   node scripts/git-http.mjs <project-root> [--port N] [--user name:password]
//
// Prints `listening <port>` on stdout once ready. Every repository under <project-root> is served
// at http://127.0.0.1:<port>/<name>.git; pushes are allowed for the authenticated user.
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { existsSync } from 'node:fs';

const args = process.argv.slice(2);
const root = args[0];
if (!root || !existsSync(root)) {
  process.stderr.write('usage: git-http.mjs <project-root> [--port N] [--user name:password]\n');
  process.exit(2);
}
const opt = name => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const port = Number(opt('--port') ?? 0);
const credentials = opt('--user');
const backend = process.env.GIT_HTTP_BACKEND || `${execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim()}/git-http-backend`;

function authorized(req) {
  if (!credentials) return 'anonymous';
  const h = req.headers.authorization ?? '';
  if (!h.startsWith('Basic ')) return undefined;
  const given = Buffer.from(h.slice(6), 'base64').toString('utf8');
  return given === credentials ? credentials.split(':')[0] : undefined;
}

const server = http.createServer((req, res) => {
  const user = authorized(req);
  if (!user) {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
    res.end('authentication required\n');
    return;
  }
  const url = new URL(req.url, 'http://127.0.0.1');
  const env = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    REMOTE_USER: user,
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    REQUEST_METHOD: req.method,
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    CONTENT_LENGTH: req.headers['content-length'] ?? '',
    HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
    HTTP_GIT_PROTOCOL: req.headers['git-protocol'] ?? '',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1'
  };
  const cgi = spawn(backend, [], { env });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  cgi.stdout.on('data', chunk => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    let end = head.indexOf('\r\n\r\n');
    let sep = 4;
    if (end < 0) {
      end = head.indexOf('\n\n');
      sep = 2;
    }
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    const headers = {};
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const k = line.slice(0, i).trim();
      const v = line.slice(i + 1).trim();
      if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
      else headers[k] = v;
    }
    res.writeHead(status, headers);
    res.write(head.subarray(end + sep));
  });
  cgi.stderr.on('data', d => process.stderr.write(d));
  cgi.on('close', () => {
    if (!headersDone) res.writeHead(502);
    res.end();
  });
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
