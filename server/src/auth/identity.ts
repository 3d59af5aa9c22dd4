import type { Request } from 'express';
import { AppError } from '../core/errors';
import type { User } from '../store/users';

/** Who is calling, and how they proved it. */
export interface Identity {
  user: User;
  via: 'secret' | 'token';
}

const IDENTITY = Symbol('conveyor.identity');

type WithIdentity = Request & { [IDENTITY]?: Identity };

export function setIdentity(req: Request, identity: Identity): void {
  (req as WithIdentity)[IDENTITY] = identity;
}

/** The authenticated caller; the auth middleware runs before every route. */
export function identityOf(req: Request): Identity {
  const identity = (req as WithIdentity)[IDENTITY];
  if (!identity) {
    throw AppError.unauthenticated();
  }
  return identity;
}
