import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { AppConfig, LoadedConfig } from '../config/configuration.js';

const DATABASE_NAME = 'yello';

export interface ResolvedRuntime {
  config: AppConfig;
  /** Stops what was started here (the embedded PostgreSQL), after the app has closed. */
  stop(): Promise<void>;
}

/**
 * Zero-configuration defaults for a developer machine: without `DATABASE_URL` an
 * embedded PostgreSQL runs from `<DATA_DIR>/postgres`; without `JWT_SECRET` (refused in
 * production by `loadConfig`) a random one is generated once into `<DATA_DIR>/jwt-secret`.
 */
export async function resolveLocalDefaults(
  loaded: LoadedConfig,
  log: (message: string) => void,
): Promise<ResolvedRuntime> {
  const dataDir = path.resolve(loaded.localData.dir);
  let url = loaded.database.url;
  let stop = async (): Promise<void> => undefined;
  if (!url) {
    // Loaded only when needed: the package pulls in PostgreSQL's binaries on import.
    const { databaseUrl, ensureDatabase, startEmbeddedPostgres } = await import('../database/embedded-postgres.js');
    await mkdir(dataDir, { recursive: true });
    const started = Date.now();
    const server = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, 'postgres'),
      port: loaded.localData.embeddedPostgresPort,
      persistent: true,
    });
    await ensureDatabase(server.url, DATABASE_NAME);
    url = databaseUrl(server.url, DATABASE_NAME);
    stop = server.stop;
    log(`Embedded PostgreSQL up in ${Date.now() - started} ms (data in ${path.join(dataDir, 'postgres')})`);
  }
  const jwtSecret = loaded.auth.jwtSecret ?? (await localJwtSecret(dataDir));
  return {
    config: { ...loaded, database: { ...loaded.database, url }, auth: { ...loaded.auth, jwtSecret } },
    stop,
  };
}

async function localJwtSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'jwt-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}
