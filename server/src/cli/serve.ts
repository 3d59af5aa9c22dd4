import { loadConfig } from '../core/config';
import { createLogger } from '../core/logger';
import { buildServer } from '../server';

/**
 * `conveyor-server serve`: start, print `{"event":"listening","port":N}` on stdout, and shut
 * down cleanly on SIGTERM/SIGINT or, with CONVEYOR_EXIT_ON_STDIN_CLOSE=1, when stdin closes.
 */
export async function serve(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const server = await buildServer(config, logger);
  const port = await server.listen();
  logger.info(
    { host: config.host, port, mode: config.mode, store: server.store.kind, location: server.store.location },
    `listening on http://${config.host}:${port}`
  );
  process.stdout.write(`${JSON.stringify({ event: 'listening', port })}\n`);

  let stopping = false;
  const shutdown = (reason: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ reason }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      err => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      }
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (config.exitOnStdinClose) {
    process.stdin.on('end', () => shutdown('stdin closed'));
    process.stdin.on('close', () => shutdown('stdin closed'));
    process.stdin.on('error', () => shutdown('stdin error'));
    process.stdin.resume();
  }
}
