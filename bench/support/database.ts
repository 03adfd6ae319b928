import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  databaseUrl,
  dropDatabase,
  ensureDatabase,
  findFreePort,
  startEmbeddedPostgres,
} from '../../src/database/embedded-postgres.ts';
import { startReaper, type Cleanup } from './cleanup.ts';

/**
 * The URL of a new, empty database `name`: on the server of DATABASE_URL (which it drops and
 * recreates), or on an embedded PostgreSQL in a temporary folder that `cleanup` removes.
 */
export async function freshDatabase(
  name: string,
  cleanup: Cleanup,
  progress: (message: string) => void,
): Promise<string> {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dir = await mkdtemp(path.join(tmpdir(), `${name.replaceAll('_', '-')}-`));
    cleanup.add('remove the temporary folder', () => rm(dir, { recursive: true, force: true }));
    await chmod(dir, 0o755); // as root, PostgreSQL runs as the `postgres` OS user, which must reach its data
    startReaper(dir);
    progress('starting PostgreSQL');
    const postgres = await startEmbeddedPostgres({
      dataDir: path.join(dir, 'data'),
      port: await findFreePort(),
      persistent: false,
    });
    cleanup.add('stop PostgreSQL', () => postgres.stop());
    serverUrl = postgres.url;
  }
  await dropDatabase(serverUrl, name);
  await ensureDatabase(serverUrl, name);
  return databaseUrl(serverUrl, name);
}
