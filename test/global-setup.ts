// Loaded by Node itself, not through Jest's transform: relative imports name the `.ts` files.
import { MikroORM } from '@mikro-orm/postgresql';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  databaseUrl,
  dropDatabase,
  ensureDatabase,
  findFreePort,
  startEmbeddedPostgres,
  withServer,
  type RunningPostgres,
} from '../src/database/embedded-postgres.ts';
import { mikroOrmOptions } from '../src/database/mikro-orm.options.ts';
import { migrateJobQueue } from '../src/database/startup-migrator.ts';
import { buildIfStale } from './build-if-stale.ts';

declare global {
  var yelloTestPostgres: RunningPostgres | undefined;
}

/**
 * One PostgreSQL for the whole run (embedded, or the server of `DATABASE_URL`) and one
 * migrated template database; every test file clones its own database from it. Meanwhile,
 * `dist/` is built if it is older than the sources (see `buildIfStale`).
 */
export default async function globalSetup(): Promise<void> {
  // V8's compiled code for the workers and for every server process a spec starts (inherited).
  process.env.NODE_COMPILE_CACHE ??= path.join(tmpdir(), 'node-compile-cache');
  const results = await Promise.allSettled([buildIfStale(), prepareDatabase()]);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    // Jest runs no global teardown after a failed setup.
    await globalThis.yelloTestPostgres?.stop();
    throw failure.reason;
  }
}

async function prepareDatabase(): Promise<void> {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dir = await mkdtemp(path.join(tmpdir(), 'yello-test-'));
    await chmod(dir, 0o755); // the `postgres` OS user must reach the data directory
    globalThis.yelloTestPostgres = await startEmbeddedPostgres({
      dataDir: path.join(dir, 'data'),
      port: await findFreePort(),
      persistent: false,
    });
    serverUrl = globalThis.yelloTestPostgres.url;
    // A throw-away cluster: surviving a power cut buys nothing here, while every file's
    // CREATE and DROP DATABASE and every commit would wait on the disk (create and drop of a
    // file's database: 2.4 s with these on, 0.6 s off, on a loaded 2-core machine). The specs
    // that crash PostgreSQL on purpose run clusters of their own, with the defaults.
    await withServer(serverUrl, async (client) => {
      for (const setting of ['fsync', 'synchronous_commit', 'full_page_writes']) {
        await client.query(`ALTER SYSTEM SET ${setting} = off`);
      }
      await client.query('SELECT pg_reload_conf()');
    });
  }
  const template = `yello_template_${process.pid}`;
  await dropDatabase(serverUrl, template);
  await ensureDatabase(serverUrl, template);

  const orm = await MikroORM.init(
    mikroOrmOptions(
      { url: databaseUrl(serverUrl, template), poolMax: 1 },
      { entities: [], discovery: { warnWhenNoEntities: false }, preferTs: true },
    ),
  );
  try {
    await orm.migrator.up();
  } finally {
    await orm.close();
  }
  // The job queue's schema too, once: every file's database is a clone of this one.
  await migrateJobQueue(databaseUrl(serverUrl, template));
  process.env.YELLO_TEST_SERVER_URL = serverUrl;
  process.env.YELLO_TEST_TEMPLATE = template;
}
