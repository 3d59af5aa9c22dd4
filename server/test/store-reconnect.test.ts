import { sql } from 'kysely';
import { Client } from 'pg';
import { Store } from '../src/store/store';
import { postgresUrl } from './helpers/env';

/** Postgres ends connections on restarts, failovers and an admin's terminate: the server keeps going. */
const base = postgresUrl();
const run = base ? test : test.skip;
const db = `conveyor_reconnect_${process.pid}`;

async function admin(query: string): Promise<void> {
  const client = new Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

let store: Store | undefined;
beforeAll(async () => {
  if (!base) return;
  await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${db}`);
  const url = new URL(base);
  url.pathname = `/${db}`;
  store = await Store.open(url.toString());
});
afterAll(async () => {
  await store?.close();
  if (base) await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
});

const terminateAll = () => admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db}' AND pid <> pg_backend_pid()`);

run('idle and busy pooled connections that Postgres terminates are replaced, and nothing is thrown unhandled', async () => {
  const s = store!;
  expect((await sql<{ one: number }>`select 1 as one`.execute(s.db)).rows[0].one).toBe(1);
  // An idle connection in the pool is terminated.
  await terminateAll();
  await new Promise(resolve => setTimeout(resolve, 200));
  expect((await sql<{ two: number }>`select 2 as two`.execute(s.db)).rows[0].two).toBe(2);
  // A connection in the middle of a query is terminated: that query fails, the next one works.
  const busy = sql`select pg_sleep(5)`.execute(s.db);
  await new Promise(resolve => setTimeout(resolve, 300));
  await terminateAll();
  await expect(busy).rejects.toThrow(/terminat/);
  await new Promise(resolve => setTimeout(resolve, 200));
  expect(await s.users.list()).toEqual(expect.any(Array));
}, 30_000);
