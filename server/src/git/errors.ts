import { AppError, isAppError } from '../core/errors';

/** isomorphic-git and network errors as the client sees them: a 4xx with a stable code, never a 500. */
export function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  const e = err as { code?: string; message?: string; data?: { statusCode?: number; reason?: string } };
  const msg = e?.message ?? String(err);
  switch (e?.code) {
    case 'NotFoundError':
      return new AppError(404, 'not_found', msg);
    case 'InvalidRefNameError':
      return new AppError(400, 'invalid_ref_name', msg);
    case 'AlreadyExistsError':
      return new AppError(409, 'already_exists', msg);
    case 'FastForwardError':
    case 'MergeNotSupportedError':
    case 'MergeConflictError':
      return new AppError(409, 'merge_required', 'The branches have diverged: a real merge is needed (only fast-forward merges are supported)');
    case 'CheckoutConflictError':
      return new AppError(409, 'uncommitted_changes', msg, { paths: (e as { data?: { filepaths?: string[] } }).data?.filepaths ?? [] });
    case 'HttpError': {
      const status = e.data?.statusCode ?? 0;
      if (status === 401 || status === 403) return new AppError(403, 'remote_auth_failed', 'The remote refused the credentials (set a username and password or token for this remote)');
      if (status === 404) return new AppError(404, 'remote_not_found', 'The remote repository was not found (HTTP 404)');
      return new AppError(400, 'remote_error', `The remote answered HTTP ${status} ${e.data?.reason ?? ''}`.trim());
    }
    case 'UserCanceledError':
      return new AppError(403, 'remote_auth_failed', 'The remote refused the credentials (set a username and password or token for this remote)');
    case 'PushRejectedError':
    case 'GitPushError':
      return new AppError(409, 'push_rejected', `The remote rejected the push: ${msg}`);
    case 'UnknownTransportError':
    case 'UrlParseError':
      return new AppError(400, 'invalid_remote_url', msg);
    case 'SmartHttpError':
    case 'ParseError':
    case 'EmptyServerResponseError':
      return new AppError(400, 'remote_error', msg);
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
      return new AppError(400, 'remote_unreachable', `The remote cannot be reached (${e.code})`);
    case 'NoRefspecError':
    case 'MissingNameError':
    case 'InvalidOidError':
    case 'AmbiguousError':
      return new AppError(400, 'invalid_request', msg);
    default:
      return new AppError(400, 'git_error', `Git could not do that: ${msg}`);
  }
}

/** Runs `fn` and rethrows any failure as a 4xx AppError. */
export async function gitCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toAppError(err);
  }
}
