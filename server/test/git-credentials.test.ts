import { randomBytes } from 'node:crypto';
import { CredentialStore } from '../src/git/credentials';
import { gitMigration } from '../src/git/migration';
import { Store } from '../src/store/store';
import { postgresUrl, tempDir } from './helpers/env';

const dir = tempDir('git-creds');
const pgUrl = postgresUrl();
const backends = [
  { name: 'sqlite', url: `sqlite:${dir.path}/conveyor.db` as string | undefined },
  { name: 'postgres', url: pgUrl }
];
afterAll(() => dir.cleanup());

describe.each(backends)('git remote credentials on $name', ({ name, url }) => {
  (url ? test : test.skip)('stored encrypted per user and URL, survive a restart, replaced and deleted', async () => {
    const store = await Store.open(url!);
    await gitMigration.up(store.db); // as the module's start() does
    const owner = `u-${randomBytes(4).toString('hex')}`;
    const remote = `https://git.example.com/${name}/${owner}.git`;
    try {
      const data = `${dir.path}/${name}`;
      const creds = new CredentialStore(store, data);
      await creds.set(owner, remote, { username: 'alice', password: 'tok-123-secret' });
      const row = await store.db.selectFrom('git_credentials').selectAll().where('owner', '=', owner).executeTakeFirstOrThrow();
      expect(row.secret).not.toContain('tok-123-secret');
      expect(await creds.get(owner, remote)).toEqual({ username: 'alice', password: 'tok-123-secret' });
      expect(await creds.get('someone-else', remote)).toBeUndefined();

      const restarted = new CredentialStore(store, data);
      expect(await restarted.get(owner, remote)).toEqual({ username: 'alice', password: 'tok-123-secret' });
      await restarted.set(owner, remote, { username: 'alice2', password: 'new' });
      expect(await creds.get(owner, remote)).toEqual({ username: 'alice2', password: 'new' });
      expect(await new CredentialStore(store, `${dir.path}/other-key`).get(owner, remote)).toBeUndefined();

      await creds.delete(owner, remote);
      expect(await creds.has(owner, remote)).toBe(false);
    } finally {
      await store.db.deleteFrom('git_credentials').where('owner', '=', owner).execute();
      await store.close();
    }
  });
});
