import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import type { Config } from '../core/config';
import { AppError } from '../core/errors';
import { requestLog } from '../core/requestLog';
import type { Store } from '../store/store';
import { USERNAME_PATTERN } from '../store/users';
import type { TokenService } from '../tokens/service';
import { setIdentity, type Identity } from './identity';

export const SECRET_HEADER = 'x-conveyor-secret';
export const USER_HEADER = 'x-conveyor-user';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Constant-time comparison that does not leak the secret's length either. */
function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Decides who a request (HTTP or websocket upgrade) comes from.
 * Embedded mode: a valid X-Conveyor-Secret, then X-Conveyor-User names the Jupyter user.
 * Team mode: `Authorization: Bearer <token>`.
 */
export class Authenticator {
  constructor(
    private readonly config: Pick<Config, 'mode' | 'secret' | 'defaultUser'>,
    private readonly store: Store,
    private readonly tokens: TokenService
  ) {}

  async authenticate(headers: IncomingHttpHeaders): Promise<Identity> {
    return this.config.mode === 'embedded' ? this.fromSecret(headers) : this.fromToken(headers);
  }

  private async fromSecret(headers: IncomingHttpHeaders): Promise<Identity> {
    const given = header(headers, SECRET_HEADER);
    if (!this.config.secret || given === undefined || !secretsEqual(given, this.config.secret)) {
      throw AppError.unauthenticated('Missing or wrong X-Conveyor-Secret');
    }
    const name = header(headers, USER_HEADER) ?? this.config.defaultUser;
    if (!USERNAME_PATTERN.test(name)) {
      throw new AppError(400, 'invalid_user', 'X-Conveyor-User is not a valid user name', {
        pattern: USERNAME_PATTERN.source
      });
    }
    // Behind Jupyter the single user owns the server, so embedded users are admins.
    const user = await this.store.users.ensure(name, true);
    return { user, via: 'secret' };
  }

  private async fromToken(headers: IncomingHttpHeaders): Promise<Identity> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header(headers, 'authorization') ?? '');
    if (!match) {
      throw AppError.unauthenticated('Missing Authorization: Bearer <token>');
    }
    const user = await this.tokens.authenticate(match[1]);
    if (!user) {
      throw AppError.unauthenticated('Unknown, revoked or expired token');
    }
    return { user, via: 'token' };
  }

  middleware(): RequestHandler {
    return async (req, res, next) => {
      const identity = await this.authenticate(req.headers);
      setIdentity(req, identity);
      res.locals.log = requestLog(res).child({ user: identity.user.name });
      next();
    };
  }
}
