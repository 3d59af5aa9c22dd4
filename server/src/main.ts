import { isAppError } from './core/errors';
import { buildProgram } from './cli/program';

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    const message = isAppError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`conveyor-server: ${message}\n`);
    process.exit(1);
  });
