// What every benchmark mode starts: an embedded PostgreSQL in a temporary folder, the built
// app (`dist/main.js`) as deployed in production, the seeded data, and the hand-written
// baseline server, all stopped by `cleanup` whatever happens.
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
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
  name: 'app' | 'baseline';
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

/** Starts PostgreSQL, the app, seeds through the API, then starts the baseline. */
export async function startStack(cleanup: Cleanup, options: StackOptions): Promise<Stack> {
  const { progress } = options;
  const appEntry = path.join(ROOT, 'dist/main.js');
  if (!existsSync(appEntry)) throw new Error(`${appEntry} is missing: build first (npm run bench does)`);

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
  await ensureDatabase(postgres.url, 'yello');
  const url = databaseUrl(postgres.url, 'yello');
  // Every connection opened from now on logs its statements, until the trace is done.
  await StatementTrace.setLogging(postgres.url, true);

  const jwtSecret = randomBytes(32).toString('base64url');
  // Both servers as deployed: production mode, the default log level (one access line per
  // request, to a pipe the benchmark drains), the same pool.
  const shared = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATABASE_URL: url,
    DATABASE_POOL_MAX: String(options.poolMax),
    DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    JWT_SECRET: jwtSecret,
    JWT_ISSUER,
    JWT_AUDIENCE,
    // The limiter must never answer 429 here; its per-request bookkeeping still runs.
    RATE_LIMIT_PER_MINUTE: '1000000000',
  };

  progress('starting the app (dist/main.js)');
  const appPort = await findFreePort();
  const profile = (name: string) =>
    options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(options.cpuProfileDir, name)}`] : [];
  const appChild = new Child('app', [...profile('app'), appEntry], {
    cwd: ROOT, // migrations are found relative to the working directory
    env: {
      ...shared,
      HOST: '127.0.0.1',
      PORT: String(appPort),
      // Logins of the storm all come from 127.0.0.1 and succeed: only the hashing limit may refuse them.
      RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
      RATE_LIMIT_LOGIN_IP_PER_MINUTE: '1000000',
      RATE_LIMIT_LOGIN_EMAIL_PER_MINUTE: '10000000',
      ACCESS_TOKEN_TTL_SECONDS: '3600',
      ...options.appEnv,
    },
  });
  cleanup.add('stop the app', () => appChild.stop());
  const app: Server = { name: 'app', child: appChild, base: `http://127.0.0.1:${appPort}` };
  await waitUntilReady(appChild, `${app.base}/health/ready`, 120_000); // a busy machine starts slowly

  progress(`seeding through the API: 1 tenant, ${EXTRA_MEMBERS + 1} members, 2 projects, tasks`);
  const data = await seed(app.base, EXTRA_MEMBERS, options.connections + 2);

  progress('starting the baseline (bench/baseline-server.ts)');
  const baselinePort = await findFreePort();
  const baselineChild = new Child('baseline', [...profile('baseline'), path.join(ROOT, 'bench/baseline-server.ts')], {
    cwd: ROOT,
    env: { ...shared, PORT: String(baselinePort) },
  });
  cleanup.add('stop the baseline', () => baselineChild.stop());
  const baseline: Server = { name: 'baseline', child: baselineChild, base: `http://127.0.0.1:${baselinePort}` };
  await waitUntilReady(baselineChild, `${baseline.base}/health/ready`, 60_000);

  return { serverUrl: postgres.url, url, jwtSecret, trace, app, baseline, data };
}
