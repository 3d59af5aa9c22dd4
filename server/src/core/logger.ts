import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stderr. Stdout is reserved for the single `listening` line the
 * Python extension reads, and for CLI output.
 */
export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { name: 'conveyor-server' } }, pino.destination({ fd: 2, sync: true }));
}

/** A logger that drops everything, for tests and CLI commands. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
