import { posix } from 'node:path';
import { AppError } from '../core/errors';

/** A path relative to the working dir, normalized; absolute paths and `..` escapes are refused. */
export function workRelative(path: string, what: string): string {
  const normal = posix.normalize(path.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (!normal || normal === '.' || normal.startsWith('/') || normal === '..' || normal.startsWith('../') || normal.includes('\0')) {
    throw new AppError(400, 'invalid_path', `${what} must be a relative path inside the working directory: ${JSON.stringify(path)}`);
  }
  return normal;
}
