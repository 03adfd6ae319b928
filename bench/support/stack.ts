// What every benchmark mode starts: an embedded PostgreSQL in a temporary folder, the built
// app (`dist/main.js`) as deployed in production, the seeded data, and the hand-written
// baseline server, all stopped by `cleanup` whatever happens.
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  databaseUrl,
  ensureDatabase,
  findFreePort,
  startEmbeddedPostgres,
} from '../../src/database/embedded-postgres.ts';
import { Child, waitUntilReady } from './children.ts';
import { type Cleanup, startReaper } from './cleanup.ts';
import { seed, type SeededData } from './seed.ts';
import { StatementTrace } from './statement-trace.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const JWT_ISSUER = 'yello';
export const JWT_AUDIENCE = 'yello-api';
const CONNECT_TIMEOUT_MS = 3_000;
const STATEMENT_TIMEOUT_MS = 10_000;
/** Members besides the owner: the members page (20) is full and has a next cursor. */
const EXTRA_MEMBERS = 20;

export interface Server {
  /** `app`, `baseline`, or another build of the app. */
  name: string;
  child: Child;
  base: string;
}

export interface Stack {
  /** The PostgreSQL server (no database in the URL). */
  serverUrl: string;
  /** The app's database. */
  url: string;
  jwtSecret: string;
  trace: StatementTrace;
  app: Server;
  baseline: Server;
  data: SeededData;
}

export interface StackOptions {
  poolMax: number;
  /** One PATCH target task per connection. */
  connections: number;
  cpuProfileDir?: string;
  /** Extra app settings (e.g. the password-hashing limits of the login storm). */
  appEnv?: Record<string, string>;
  progress: (message: string) => void;
}

/** An embedded PostgreSQL in a temporary folder, stopped and removed by `cleanup`. */
export interface Postgres {
  /** The server (no database in the URL). */
  serverUrl: string;
  /** Records the statements the server logs while `record` runs (see statement-trace.ts). */
  trace: StatementTrace;
  /** The postmaster's process id (from `postmaster.pid`), for its CPU time; undefined if unreadable. */
  postmasterPid: () => Promise<number | undefined>;
}

export async function startPostgres(cleanup: Cleanup, progress: (message: string) => void): Promise<Postgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'yello-bench-'));
  cleanup.add('remove the temporary folder', () => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o755); // as root, PostgreSQL runs as the `postgres` OS user, which must reach its data
  startReaper(dir);

  const trace = new StatementTrace();
  progress('starting PostgreSQL');
  const postgres = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'data'),
    port: await findFreePort(),
    persistent: false,
    onLog: trace.onLog,
  });
  cleanup.add('stop PostgreSQL', () => postgres.stop());
  const postmasterPid = async () => {
    const pidFile = await readFile(path.join(dir, 'data', 'postmaster.pid'), 'utf8').catch(() => '');
    const pid = Number(pidFile.split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  };
  return { serverUrl: postgres.url, trace, postmasterPid };
}

/** What the app and the baseline share: production mode, the default log level, the same pool and secret. */
export function serverEnvironment(url: string, poolMax: number, jwtSecret: string): NodeJS.ProcessEnv {
  // One access line per request at LOG_LEVEL=info, to a pipe the benchmark drains.
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATABASE_URL: url,
    DATABASE_POOL_MAX: String(poolMax),
    DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    JWT_SECRET: jwtSecret,
    JWT_ISSUER,
    JWT_AUDIENCE,
    // The limiter must never answer 429 here; its per-request bookkeeping still runs.
    RATE_LIMIT_PER_MINUTE: '1000000000',
    // Node flags for both servers, e.g. `--perf-basic-prof` for an on-CPU profile with `perf`.
    ...(process.env.BENCH_NODE_OPTIONS && { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS }),
  };
}

export interface AppOptions {
  /** The app's database. */
  url: string;
  poolMax: number;
  jwtSecret: string;
  /** A checkout whose `dist/main.js` is built (default: this one); also its working directory, where migrations are found. */
  root?: string;
  /** Its name in progress and error messages (default `app`). */
  name?: string;
  cpuProfileDir?: string;
  /** Extra app settings (e.g. the password-hashing limits of the login storm). */
  appEnv?: Record<string, string>;
}

/** Starts a built app (`<root>/dist/main.js`) as deployed in production, and waits until it is ready. */
export async function startApp(cleanup: Cleanup, options: AppOptions): Promise<Server> {
  const root = options.root ?? ROOT;
  const name = options.name ?? 'app';
  const entry = path.join(root, 'dist/main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (npm run bench does)`);
  const port = await findFreePort();
  const profile = options.cpuProfileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${path.join(options.cpuProfileDir, name)}`]
    : [];
  const child = new Child(name, [...profile, entry], {
    cwd: root, // migrations are found relative to the working directory
    env: {
      ...serverEnvironment(options.url, options.poolMax, options.jwtSecret),
      HOST: '127.0.0.1',
      PORT: String(port),
      // Logins of the storm all come from 127.0.0.1 and succeed: only the hashing limit may refuse them.
      RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
      RATE_LIMIT_LOGIN_IP_PER_MINUTE: '1000000',
      RATE_LIMIT_LOGIN_EMAIL_PER_MINUTE: '10000000',
      ACCESS_TOKEN_TTL_SECONDS: '3600',
      ...options.appEnv,
    },
  });
  cleanup.add(`stop ${name}`, () => child.stop());
  const server: Server = { name, child, base: `http://127.0.0.1:${port}` };
  await waitUntilReady(child, `${server.base}/health/ready`, 120_000); // a busy machine starts slowly
  return server;
}

/** Starts PostgreSQL, the app, seeds through the API, then starts the baseline. */
export async function startStack(cleanup: Cleanup, options: StackOptions): Promise<Stack> {
  const { progress } = options;
  if (!existsSync(path.join(ROOT, 'dist/main.js'))) {
    throw new Error(`${path.join(ROOT, 'dist/main.js')} is missing: build first (npm run bench does)`);
  }
  const { serverUrl, trace } = await startPostgres(cleanup, progress);
  await ensureDatabase(serverUrl, 'yello');
  const url = databaseUrl(serverUrl, 'yello');
  // Every connection opened from now on logs its statements, until the trace is done.
  await StatementTrace.setLogging(serverUrl, true);

  const jwtSecret = randomBytes(32).toString('base64url');
  progress('starting the app (dist/main.js)');
  const app = await startApp(cleanup, {
    url,
    poolMax: options.poolMax,
    jwtSecret,
    cpuProfileDir: options.cpuProfileDir,
    appEnv: options.appEnv,
  });

  progress(`seeding through the API: 1 tenant, ${EXTRA_MEMBERS + 1} members, 2 projects, tasks`);
  const data = await seed(app.base, EXTRA_MEMBERS, options.connections + 2);

  progress('starting the baseline (bench/baseline-server.ts)');
  const baselinePort = await findFreePort();
  const profile = (name: string) =>
    options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(options.cpuProfileDir, name)}`] : [];
  const baselineChild = new Child('baseline', [...profile('baseline'), path.join(ROOT, 'bench/baseline-server.ts')], {
    cwd: ROOT,
    env: { ...serverEnvironment(url, options.poolMax, jwtSecret), PORT: String(baselinePort) },
  });
  cleanup.add('stop the baseline', () => baselineChild.stop());
  const baseline: Server = { name: 'baseline', child: baselineChild, base: `http://127.0.0.1:${baselinePort}` };
  await waitUntilReady(baselineChild, `${baseline.base}/health/ready`, 60_000);

  return { serverUrl, url, jwtSecret, trace, app, baseline, data };
}
