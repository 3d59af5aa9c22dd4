/**
 * The one error type of the server: a stable machine-readable `code`, an HTTP status and a
 * message that is safe to show to a user. The error middleware turns it into
 * `{ "error": { "code", "message", "details" } }`.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown
  ) {
    super(message);
    this.name = 'AppError';
  }

  static invalid(message: string, details?: unknown): AppError {
    return new AppError(400, 'invalid_request', message, details);
  }

  static unauthenticated(message = 'Authentication required'): AppError {
    return new AppError(401, 'unauthenticated', message);
  }

  static forbidden(message = 'Not allowed'): AppError {
    return new AppError(403, 'forbidden', message);
  }

  static notFound(message = 'Not found'): AppError {
    return new AppError(404, 'not_found', message);
  }

  static conflict(message: string, details?: unknown): AppError {
    return new AppError(409, 'conflict', message, details);
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
