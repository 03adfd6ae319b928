// Framework overhead (the quality spec, "Performance targets"): the Nest
// app against a raw Fastify + pg baseline doing the same work by hand, in one run, on the
// same data, at the same concurrency. Run with `npm run bench` (builds first).
//
// Settings (environment): BENCH_CONNECTIONS (32), BENCH_DURATION seconds per measured run
// (10), BENCH_WARMUP seconds before each (3), BENCH_SHOW_SQL=1 to list each route's SQL,
// BENCH_CPU_PROFILE=<dir> to write a CPU profile of the app (`node --cpu-prof`),
// DATABASE_POOL_MAX (10, for both servers).
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseUrl, ensureDatabase, findFreePort, startEmbeddedPostgres } from '../src/database/embedded-postgres.ts';
import { Child, waitUntilReady } from './support/children.ts';
import { Cleanup, startReaper } from './support/cleanup.ts';
import { load, type LoadResult } from './support/load.ts';
import { seed, type SeededData } from './support/seed.ts';
import { StatementTrace } from './support/statement-trace.ts';

/** A route compared on both servers. The task routes of quality.md join this list when they exist. */
interface Target {
  route: string;
  path(data: SeededData): string;
}

const TARGETS: readonly Target[] = [
  { route: 'GET /tenants/{t}', path: ({ tenantId }) => `/api/v1/tenants/${tenantId}` },
  {
    route: 'GET /tenants/{t}/members?limit=20',
    path: ({ tenantId }) => `/api/v1/tenants/${tenantId}/members?limit=20`,
  },
];

/** quality.md: app requests/second at least 70 % of the baseline's. */
const TARGET_RATIO = 0.7;
/** Members besides the owner: the members page (20) is full and has a next cursor. */
const EXTRA_MEMBERS = 20;
const JWT_ISSUER = 'yello';
const JWT_AUDIENCE = 'yello-api';
const CONNECT_TIMEOUT_MS = 3_000;
const STATEMENT_TIMEOUT_MS = 10_000;
/** Start-up, seeding and teardown together stay well under this; the load time comes on top. */
const FIXED_BUDGET_MS = 60_000;

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

const settings = {
  connections: positiveInteger('BENCH_CONNECTIONS', 32),
  seconds: positiveInteger('BENCH_DURATION', 10),
  warmupSeconds: positiveInteger('BENCH_WARMUP', 3),
  poolMax: positiveInteger('DATABASE_POOL_MAX', 10),
  showSql: process.env.BENCH_SHOW_SQL === '1',
  cpuProfileDir: process.env.BENCH_CPU_PROFILE ? path.resolve(process.env.BENCH_CPU_PROFILE) : undefined,
};

const progress = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

const cleanup = new Cleanup(progress);

interface Server {
  name: 'app' | 'baseline';
  child: Child;
  base: string;
}

interface Row {
  target: Target;
  app: LoadResult;
  baseline: LoadResult;
  sql: { app: string[]; baseline: string[] };
}

/** Both servers must give the same answer to the same request, or the comparison means nothing. */
async function assertSameResponses(servers: readonly Server[], data: SeededData): Promise<void> {
  const owner = data.members[0];
  if (!owner) throw new Error('Seeding produced no users');
  for (const target of TARGETS) {
    const bodies = await Promise.all(
      servers.map(async (server) => {
        const response = await fetch(`${server.base}${target.path(data)}`, {
          headers: { authorization: `Bearer ${owner.accessToken}` },
          signal: AbortSignal.timeout(10_000),
        });
        const body = await response.text();
        if (response.status !== 200) {
          throw new Error(`${server.name} answered ${target.route} with ${response.status}: ${body.slice(0, 500)}`);
        }
        return body;
      }),
    );
    if (new Set(bodies).size !== 1) {
      throw new Error(
        `The servers disagree on ${target.route}:\n` +
          servers.map((server, index) => `  ${server.name}: ${bodies[index]}`).join('\n'),
      );
    }
  }
}

async function traceStatements(trace: StatementTrace, serverUrl: string, servers: readonly Server[], data: SeededData) {
  const owner = data.members[0];
  if (!owner) throw new Error('Seeding produced no users');
  const probes = servers.flatMap((server) =>
    TARGETS.map((target) => async () => {
      const response = await fetch(`${server.base}${target.path(data)}`, {
        headers: { authorization: `Bearer ${owner.accessToken}` },
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
    }),
  );
  const statements = await trace.record(serverUrl, probes);
  return (server: number, target: number): string[] => statements[server * TARGETS.length + target] ?? [];
}

async function measure(server: Server, target: Target, data: SeededData): Promise<LoadResult> {
  const options = {
    url: `${server.base}${target.path(data)}`,
    tokens: data.members.map((member) => member.accessToken),
    connections: settings.connections,
  };
  const warmup = await load({ ...options, seconds: settings.warmupSeconds });
  if (warmup.bad > 0) {
    throw new Error(
      `${server.name} ${target.route}: ${warmup.bad} failed responses during warm-up (${warmup.badDetail}); ` +
        `a benchmark of errors measures nothing. ${server.name}'s last output:\n${server.child.tail()}`,
    );
  }
  const result = await load({ ...options, seconds: settings.seconds });
  progress(
    `${server.name.padEnd(8)} ${target.route}: ${Math.round(result.requestsPerSecond)} req/s, ` +
      `p50 ${result.p50} ms, p99 ${result.p99} ms${result.bad > 0 ? `, FAILED RESPONSES: ${result.badDetail}` : ''}`,
  );
  return result;
}

function formatTable(rows: readonly Row[]): { text: string; failed: number; invalid: number } {
  const header = [
    'route',
    'app req/s',
    'baseline req/s',
    'app/baseline',
    'app p50/p99 ms',
    'baseline p50/p99 ms',
    'SQL/req app/base',
    'non-2xx+errors app/base',
    `target ≥ ${TARGET_RATIO * 100} %`,
  ];
  let failed = 0;
  let invalid = 0;
  const body = rows.map(({ target, app, baseline, sql }) => {
    const ratio = app.requestsPerSecond / baseline.requestsPerSecond;
    const spoiled = app.bad + baseline.bad > 0;
    const verdict = spoiled ? 'INVALID' : ratio >= TARGET_RATIO ? 'PASS' : 'FAIL';
    if (spoiled) invalid++;
    else if (verdict === 'FAIL') failed++;
    return [
      target.route,
      Math.round(app.requestsPerSecond).toString(),
      Math.round(baseline.requestsPerSecond).toString(),
      `${(ratio * 100).toFixed(1)} %`,
      `${app.p50} / ${app.p99}`,
      `${baseline.p50} / ${baseline.p99}`,
      `${sql.app.length} / ${sql.baseline.length}`,
      `${app.bad} / ${baseline.bad}`,
      verdict,
    ];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => cells[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column === 0 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return { text: [line(header), rule, ...body.map(line)].join('\n'), failed, invalid };
}

async function main(): Promise<number> {
  const loadMs = TARGETS.length * 2 * (settings.warmupSeconds + settings.seconds) * 1000;
  // Nothing may hang: past its budget the run stops everything and fails.
  setTimeout(() => {
    progress(`watchdog: still running after ${Math.round((FIXED_BUDGET_MS + loadMs) / 1000)} s, giving up`);
    void cleanup.exit(1);
  }, FIXED_BUDGET_MS + loadMs).unref();

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
  const shared = {
    PATH: process.env.PATH,
    DATABASE_URL: url,
    DATABASE_POOL_MAX: String(settings.poolMax),
    DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    JWT_SECRET: jwtSecret,
    JWT_ISSUER,
    JWT_AUDIENCE,
  };

  progress('starting the app (dist/main.js)');
  const appPort = await findFreePort();
  const profile = settings.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfileDir}`] : [];
  const appChild = new Child('app', [...profile, appEntry], {
    cwd: ROOT, // migrations are found relative to the working directory
    env: {
      ...shared,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(appPort),
      LOG_LEVEL: 'warn',
      // The limiter must never answer 429 here; its per-request bookkeeping still runs.
      RATE_LIMIT_PER_MINUTE: '1000000000',
      RATE_LIMIT_AUTH_PER_MINUTE: '1000',
      ACCESS_TOKEN_TTL_SECONDS: '3600',
    },
  });
  cleanup.add('stop the app', () => appChild.stop());
  const app: Server = { name: 'app', child: appChild, base: `http://127.0.0.1:${appPort}` };
  await waitUntilReady(appChild, `${app.base}/health/ready`, 30_000);

  progress(`seeding through the API: 1 tenant, ${EXTRA_MEMBERS + 1} members`);
  const data = await seed(app.base, EXTRA_MEMBERS);

  progress('starting the baseline (bench/baseline-server.ts)');
  const baselinePort = await findFreePort();
  const baselineChild = new Child('baseline', [path.join(ROOT, 'bench/baseline-server.ts')], {
    cwd: ROOT,
    env: { ...shared, PORT: String(baselinePort) },
  });
  cleanup.add('stop the baseline', () => baselineChild.stop());
  const baseline: Server = { name: 'baseline', child: baselineChild, base: `http://127.0.0.1:${baselinePort}` };
  await waitUntilReady(baselineChild, `${baseline.base}/health/ready`, 15_000);

  const servers = [app, baseline];
  await assertSameResponses(servers, data);
  const statementsOf = await traceStatements(trace, postgres.url, servers, data);
  await StatementTrace.setLogging(postgres.url, false);

  progress(
    `load: ${settings.connections} connections over ${data.members.length} users' tokens, ` +
      `${settings.warmupSeconds} s warm-up + ${settings.seconds} s per run, about ${Math.round(loadMs / 1000)} s`,
  );
  const rows: Row[] = [];
  for (const [index, target] of TARGETS.entries()) {
    // Alternate who goes first, so neither side always runs on a warmer machine.
    const order = index % 2 === 0 ? servers : [...servers].reverse();
    const results = new Map<Server, LoadResult>();
    for (const server of order) results.set(server, await measure(server, target, data));
    const appResult = results.get(app);
    const baselineResult = results.get(baseline);
    if (!appResult || !baselineResult) throw new Error('missing a result');
    rows.push({
      target,
      app: appResult,
      baseline: baselineResult,
      sql: { app: statementsOf(0, index), baseline: statementsOf(1, index) },
    });
  }

  const { text, failed, invalid } = formatTable(rows);
  const out = [
    '',
    'Framework overhead: Nest app vs raw Fastify + pg baseline (same routes, data, SQL and response bodies)',
    `Node ${process.version}, ${availableParallelism()} CPUs, embedded PostgreSQL, pool of ${settings.poolMax} connections each; ` +
      `autocannon on 127.0.0.1, ${settings.connections} connections over ${data.members.length} users, ` +
      `${settings.seconds} s per run after ${settings.warmupSeconds} s of warm-up`,
    '',
    text,
    '',
  ];
  if (settings.showSql) {
    for (const row of rows) {
      out.push(`SQL of ${row.target.route}`);
      for (const [side, statements] of Object.entries(row.sql)) {
        for (const statement of statements) out.push(`  ${side.padEnd(8)} ${statement}`);
      }
    }
    out.push('');
  }
  process.stdout.write(`${out.join('\n')}\n`);
  if (invalid > 0) {
    progress(`INVALID: ${invalid} route(s) got non-2xx responses or connection errors under load (see the table)`);
    return 1;
  }
  if (failed > 0) {
    progress(`FAIL: ${failed} route(s) below ${TARGET_RATIO * 100} % of the baseline`);
    return 1;
  }
  progress('PASS');
  return 0;
}

await cleanup.runMain(main);
