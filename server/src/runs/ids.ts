import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A run id that sorts by creation time: `r` + 10 characters of milliseconds (Crockford base32)
 * + 10 random characters, like a ULID in lower case.
 */
export function newRunId(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const random = [...randomBytes(10)].map(b => ALPHABET[b % 32]).join('');
  return `r${time}${random}`;
}
