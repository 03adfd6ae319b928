// Framework overhead (the quality spec, "Performance targets"; issue 8): the Nest app
// against a raw Fastify + pg baseline doing the same work by hand, in one run, on the same
// data, at the same concurrency. Run with `npm run bench` (builds first);
// `npm run bench -- --scale` compares the list routes at 10 000 and 1 000 000 tasks, and
// `npm run bench -- --storm` measures reads during a login storm (bench/scale.ts).
//
// Settings (environment): BENCH_CONNECTIONS (32), BENCH_DURATION seconds per measured run
// (5), BENCH_ROUNDS measured runs per route and server, of which the table shows the median (3),
// BENCH_WARMUP seconds of warm-up before a route's runs (3), BENCH_WARMUP_PASS seconds per route of the
// warm-up pass over every route that each server takes first (3), BENCH_ROUTES (a route's exact name, or a substring: only the routes
// whose name contains it), BENCH_SHOW_SQL=1 to list each route's SQL, BENCH_CPU_PROFILE=<dir>
// to write CPU profiles of both servers into <dir>/app and <dir>/baseline (`node --cpu-prof`), DATABASE_POOL_MAX (10, both servers).
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { Cleanup } from './support/cleanup.ts';
import { markdownTable } from './support/table.ts';
import { load, medianRun, type ClientPlan, type LoadResult } from './support/load.ts';
import type { SeededData } from './support/seed.ts';
import { startStack, type Server } from './support/stack.ts';
import { StatementTrace } from './support/statement-trace.ts';
import { patchPlan, preparePatch, TARGETS, writers, type Target } from './support/targets.ts';
import { cpuSeconds } from './support/process-cpu.ts';
import { positiveInteger } from './support/settings.ts';
import { median } from './support/stats.ts';

/** quality.md: app requests/second at least 70 % of the baseline's, p99 at most twice the baseline's. */
const TARGET_RATIO = 0.7;
const P99_FACTOR = 2;
/** Start-up, seeding and teardown together stay well under this; the load time comes on top. */
const FIXED_BUDGET_MS = 300_000;

const settings = {
  connections: positiveInteger('BENCH_CONNECTIONS', 32),
  seconds: positiveInteger('BENCH_DURATION', 5),
  warmupSeconds: positiveInteger('BENCH_WARMUP', 3),
  warmupPassSeconds: positiveInteger('BENCH_WARMUP_PASS', 3),
  rounds: positiveInteger('BENCH_ROUNDS', 3),
  poolMax: positiveInteger('DATABASE_POOL_MAX', 10),
  showSql: process.env.BENCH_SHOW_SQL === '1',
  routes: process.env.BENCH_ROUTES,
  cpuProfileDir: process.env.BENCH_CPU_PROFILE ? path.resolve(process.env.BENCH_CPU_PROFILE) : undefined,
};

// A route's exact name selects it alone; any other value selects every route containing it.
const exactTarget = TARGETS.filter((target) => target.route === settings.routes);
const targets =
  exactTarget.length > 0
    ? exactTarget
    : TARGETS.filter((target) => !settings.routes || target.route.includes(settings.routes));

const progress = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

const cleanup = new Cleanup(progress);

/** A load run, with the CPU time the server's process spent per request (µs), where /proc tells. */
interface Measured extends LoadResult {
  cpuPerRequest: number | undefined;
}

interface Row {
  target: Target;
  app: Measured;
  baseline: Measured;
  sql: { app: string[]; baseline: string[] };
}

/** Values that differ between two creates or two updates of different tasks: masked before comparing. */
const VOLATILE_FIELDS = new Set(['id', 'key', 'position', 'createdAt', 'updatedAt']);
/** Headers whose values differ per request; their presence is still compared. */
const VOLATILE_HEADERS = new Set(['date', 'x-request-id', 'ratelimit-remaining', 'ratelimit-reset', 'location']);

function masked(body: string, write: boolean): string {
  if (!write) return body;
  return JSON.stringify(JSON.parse(body), (key, value: unknown) => (VOLATILE_FIELDS.has(key) ? '…' : value));
}

interface Answer {
  status: number;
  headers: string;
  body: string;
}

/** One request as a connection of `plan` would send it now (its `next` applied). */
async function send(base: string, plan: ClientPlan): Promise<Answer> {
  const changes = plan.next?.() ?? {};
  const response = await fetch(`${base}${plan.path}`, {
    method: plan.method,
    headers: { ...plan.headers, ...changes.headers },
    body: changes.body ?? plan.body,
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.text();
  plan.onResponse?.(response.status, Object.fromEntries(response.headers));
  const headers = [...response.headers]
    // A write's body length varies with its volatile values (PostgreSQL drops trailing zeros of times).
    .map(
      ([name, value]) =>
        `${name}: ${VOLATILE_HEADERS.has(name) || (plan.method !== 'GET' && name === 'content-length') ? '…' : value}`,
    )
    .sort()
    .join('\n');
  return { status: response.status, headers, body };
}

/** The request each server gets for the response comparison and the statement trace. */
function probePlan(target: Target, data: SeededData, server: number): ClientPlan {
  if (!target.route.startsWith('PATCH')) return target.client(data, 0);
  // Each server changes its own task (0 or 1), in the same state and version.
  const task = data.writeTasks[server];
  if (!task) throw new Error('missing PATCH comparison task');
  const writer = writers(data)[0];
  if (!writer) throw new Error('no writer');
  return patchPlan(data, task, writer.accessToken);
}

/** Both servers must give the same answer to the same request, or the comparison means nothing. */
async function assertSameResponses(servers: readonly Server[], data: SeededData): Promise<void> {
  const problems: string[] = [];
  await preparePatch(servers[0]?.base ?? '', data, data.writeTasks.slice(0, 2));
  for (const target of targets) {
    const answers: Answer[] = [];
    for (const [index, server] of servers.entries()) {
      answers.push(await send(server.base, probePlan(target, data, index)));
    }
    const [app, baseline] = answers;
    if (!app || !baseline) throw new Error('missing an answer');
    for (const [index, answer] of answers.entries()) {
      if (answer.status < 200 || answer.status > 299) {
        problems.push(
          `${servers[index]?.name} answered ${target.route} with ${answer.status}: ${answer.body.slice(0, 500)}`,
        );
      }
    }
    if (app.status !== baseline.status) problems.push(`${target.route}: status ${app.status} vs ${baseline.status}`);
    if (masked(app.body, target.write) !== masked(baseline.body, target.write)) {
      problems.push(`${target.route}: the bodies differ\n  app:      ${app.body}\n  baseline: ${baseline.body}`);
    }
    if (app.headers !== baseline.headers) {
      problems.push(
        `${target.route}: the headers differ\n  app:\n    ${app.headers.replaceAll('\n', '\n    ')}\n` +
          `  baseline:\n    ${baseline.headers.replaceAll('\n', '\n    ')}`,
      );
    }
  }
  if (problems.length > 0) throw new Error(`The servers disagree:\n${problems.join('\n')}`);
}

async function traceStatements(trace: StatementTrace, serverUrl: string, servers: readonly Server[], data: SeededData) {
  await preparePatch(servers[0]?.base ?? '', data, data.writeTasks.slice(0, 2));
  const probes = servers.flatMap((_, index) =>
    targets.map((target) => {
      const plan = probePlan(target, data, index);
      // PATCH: the same plan twice, the second with the ETag the first got.
      return async () => {
        await send(servers[index]?.base ?? '', plan);
      };
    }),
  );
  const statements = await trace.record(serverUrl, probes);
  return (server: number, target: number): string[] => statements[server * targets.length + target] ?? [];
}

async function run(server: Server, target: Target, data: SeededData, seconds: number): Promise<LoadResult> {
  await target.prepare?.(server.base, data);
  return load({
    base: server.base,
    connections: settings.connections,
    seconds,
    client: (index) => target.client(data, index),
  });
}

async function warmUp(server: Server, target: Target, data: SeededData, seconds: number): Promise<void> {
  const warmup = await run(server, target, data, seconds);
  if (warmup.bad > 0) {
    throw new Error(
      `${server.name} ${target.route}: ${warmup.bad} failed responses during warm-up (${warmup.badDetail}); ` +
        `a benchmark of errors measures nothing. ${server.name}'s last output:\n${server.child.tail()}`,
    );
  }
}

async function measure(server: Server, target: Target, data: SeededData, round: number): Promise<Measured> {
  const cpuBefore = await cpuSeconds(server.child.pid);
  const loaded = await run(server, target, data, settings.seconds);
  const cpuAfter = await cpuSeconds(server.child.pid);
  const requests = loaded.ok + loaded.bad;
  const cpuPerRequest =
    cpuBefore === undefined || cpuAfter === undefined || requests === 0
      ? undefined
      : ((cpuAfter - cpuBefore) * 1e6) / requests;
  const result = { ...loaded, cpuPerRequest };
  progress(
    `${server.name.padEnd(8)} ${target.route} (run ${round + 1}/${settings.rounds}): ` +
      `${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms` +
      (cpuPerRequest === undefined ? '' : `, ${Math.round(cpuPerRequest)} µs of CPU per request`) +
      (result.bad > 0 ? `, FAILED RESPONSES: ${result.badDetail}` : ''),
  );
  return result;
}

/** One server's runs of a route as one row: `medianRun`, with the median CPU per request when every run has one. */
function medianResult(results: readonly Measured[]): Measured {
  const cpu = results.map((result) => result.cpuPerRequest).filter((value) => value !== undefined);
  return { ...medianRun(results), cpuPerRequest: cpu.length === results.length ? median(cpu) : undefined };
}

const cpuText = (micros: number | undefined): string => (micros === undefined ? '–' : String(Math.round(micros)));

function formatTable(rows: readonly Row[]): { text: string; failed: number; invalid: number } {
  const header = [
    'route',
    'app req/s',
    'baseline req/s',
    'app/baseline',
    'app p50/p99 ms',
    'baseline p50/p99 ms',
    'SQL/req app/base',
    'CPU µs/req app/base',
    'non-2xx+errors app/base',
    `≥ ${TARGET_RATIO * 100} %, p99 ≤ ${P99_FACTOR}×`,
  ];
  let failed = 0;
  let invalid = 0;
  const body = rows.map(({ target, app, baseline, sql }) => {
    const ratio = app.requestsPerSecond / baseline.requestsPerSecond;
    const spoiled = app.bad + baseline.bad > 0;
    const pass = ratio >= TARGET_RATIO && app.p99 <= P99_FACTOR * Math.max(baseline.p99, 1);
    const verdict = spoiled ? 'INVALID' : pass ? 'PASS' : 'FAIL';
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
      `${cpuText(app.cpuPerRequest)} / ${cpuText(baseline.cpuPerRequest)}`,
      `${app.bad} / ${baseline.bad}`,
      verdict,
    ];
  });
  return { text: markdownTable(header, body), failed, invalid };
}

async function main(): Promise<number> {
  const loadMs =
    targets.length *
    2 *
    (settings.warmupPassSeconds + settings.warmupSeconds + settings.rounds * settings.seconds) *
    1000;
  // Nothing may hang: past its budget the run stops everything and fails.
  setTimeout(() => {
    progress(`watchdog: still running after ${Math.round((FIXED_BUDGET_MS + loadMs) / 1000)} s, giving up`);
    void cleanup.exit(1);
  }, FIXED_BUDGET_MS + loadMs).unref();

  const stack = await startStack(cleanup, {
    poolMax: settings.poolMax,
    connections: settings.connections,
    cpuProfileDir: settings.cpuProfileDir,
    progress,
  });
  const { app, baseline, data } = stack;
  const servers = [app, baseline];
  await assertSameResponses(servers, data);
  const statementsOf = await traceStatements(stack.trace, stack.serverUrl, servers, data);
  await StatementTrace.setLogging(stack.serverUrl, false);

  progress(
    `load: ${settings.connections} connections over ${data.members.length} users' tokens, ` +
      `a ${settings.warmupPassSeconds} s warm-up pass over every route, then ` +
      `${settings.warmupSeconds} s warm-up + ${settings.rounds} × ${settings.seconds} s per route and server, ` +
      `about ${Math.round(loadMs / 1000)} s`,
  );
  const loadBefore = loadavg()[0] ?? 0;
  // A server's first ~20 s of load are V8 still compiling the path every route shares (the
  // app's CPU per request fell by a third over them; the baseline, a few hundred lines, is
  // done in a second or two): each server first takes every route once, so the runs compare
  // servers in their steady state, as they spend their lives.
  for (const server of servers) {
    for (const target of targets) await warmUp(server, target, data, settings.warmupPassSeconds);
  }
  const rows: Row[] = [];
  for (const [index, target] of targets.entries()) {
    const results = new Map<Server, Measured[]>(servers.map((server) => [server, []]));
    for (const server of servers) await warmUp(server, target, data, settings.warmupSeconds);
    for (let round = 0; round < settings.rounds; round++) {
      // Alternate who goes first, so neither side always runs on a warmer (or busier) machine.
      const order = (index + round) % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) results.get(server)?.push(await measure(server, target, data, round));
    }
    rows.push({
      target,
      app: medianResult(results.get(app) ?? []),
      baseline: medianResult(results.get(baseline) ?? []),
      sql: { app: statementsOf(0, index), baseline: statementsOf(1, index) },
    });
  }

  const { text, failed, invalid } = formatTable(rows);
  const out = [
    '',
    'Framework overhead: Nest app vs raw Fastify + pg baseline (same routes, data, SQL, headers and response bodies)',
    `Node ${process.version}, ${availableParallelism()} CPUs (load average ${loadBefore.toFixed(2)} before the load, ` +
      `${(loadavg()[0] ?? 0).toFixed(2)} after), embedded PostgreSQL, pool of ${settings.poolMax} connections each, ` +
      `NODE_ENV=production, LOG_LEVEL=info; autocannon on 127.0.0.1, ${settings.connections} connections over ` +
      `${data.members.length} users, median of ${settings.rounds} runs of ${settings.seconds} s per route and ` +
      `server (alternating which goes first) after a ${settings.warmupPassSeconds} s warm-up pass over every ` +
      `route and ${settings.warmupSeconds} s of warm-up`,
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
    progress(`FAIL: ${failed} route(s) below ${TARGET_RATIO * 100} % of the baseline or over ${P99_FACTOR}× its p99`);
    return 1;
  }
  progress('PASS');
  return 0;
}

// `--scale`, `--storm` and `--cold-start` are their own scripts, sharing this one's support code.
if (process.argv.includes('--scale') || process.argv.includes('--storm')) await import('./scale.ts');
else if (process.argv.includes('--cold-start')) await import('./cold-start.ts');
else await cleanup.runMain(main);
