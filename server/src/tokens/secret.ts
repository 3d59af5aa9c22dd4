import { createHash, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'cvy_';

/** A new bearer secret: 32 random bytes, base64url, with a recognisable prefix. */
export function newTokenSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

export function newTokenId(): string {
  return 'tok_' + randomBytes(9).toString('base64url');
}

/** Only this hash is stored; the secret is shown once. */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
