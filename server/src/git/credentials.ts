import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/store';

export interface Credentials {
  username: string;
  password: string;
}

/** Per-user remote credentials in the store, the password encrypted at rest. */
export class CredentialStore {
  private key: Buffer | undefined;

  constructor(
    private readonly store: Store,
    private readonly dataDir: string
  ) {}

  private keyOf(): Buffer {
    if (this.key) return this.key;
    const file = join(this.dataDir, 'git-credentials.key');
    try {
      this.key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
    } catch {
      fs.mkdirSync(this.dataDir, { recursive: true });
      const key = randomBytes(32);
      try {
        fs.writeFileSync(file, key.toString('hex'), { mode: 0o600, flag: 'wx' });
        this.key = key;
      } catch {
        this.key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex'); // another process won the race
      }
    }
    return this.key;
  }

  private encrypt(text: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keyOf(), iv);
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), body].map(b => b.toString('base64')).join('.');
  }

  private decrypt(blob: string): string | undefined {
    try {
      const [iv, tag, body] = blob.split('.').map(s => Buffer.from(s, 'base64'));
      const decipher = createDecipheriv('aes-256-gcm', this.keyOf(), iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      return undefined; // key file replaced: the user sets the credentials again
    }
  }

  async set(owner: string, url: string, creds: Credentials): Promise<void> {
    const row = { owner, url, username: creds.username, secret: this.encrypt(creds.password), updated_at: new Date().toISOString() };
    await this.store.db
      .insertInto('git_credentials')
      .values(row)
      .onConflict(oc => oc.columns(['owner', 'url']).doUpdateSet({ username: row.username, secret: row.secret, updated_at: row.updated_at }))
      .execute();
  }

  async get(owner: string, url: string): Promise<Credentials | undefined> {
    const row = await this.store.db.selectFrom('git_credentials').selectAll().where('owner', '=', owner).where('url', '=', url).executeTakeFirst();
    if (!row) return undefined;
    const password = this.decrypt(row.secret);
    return password === undefined ? undefined : { username: row.username, password };
  }

  async has(owner: string, url: string): Promise<boolean> {
    return (await this.get(owner, url)) !== undefined;
  }

  async delete(owner: string, url: string): Promise<void> {
    await this.store.db.deleteFrom('git_credentials').where('owner', '=', owner).where('url', '=', url).execute();
  }
}
