// `npm run soak` (not part of `npm test`): mixed reads and writes against the built app, as
// deployed in production, for SOAK_SECONDS (600) at about half its measured capacity. Prints
// one row per interval (req/s, p50/p99, errors, the app's RSS) and exits non-zero on any
// error, on an unstable p99 (an interval over P99_FACTOR × the median interval's), or when
// the RSS after warm-up grows more than 10 % (the first interval is the warm-up).
//
// Settings (environment): SOAK_SECONDS (600), SOAK_INTERVAL_SECONDS (60, or a tenth of a
// shorter soak), SOAK_LOAD (0.5 of capacity), BENCH_CONNECTIONS (32), DATABASE_POOL_MAX (10).
import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { Cleanup } from './support/cleanup.ts';
import { load, type ClientPlan, type LoadResult } from './support/load.ts';
import type { SeededData } from './support/seed.ts';
import { startStack, type Server } from './support/stack.ts';
import { StatementTrace } from './support/statement-trace.ts';
import { markdownTable } from './support/table.ts';
import {
  CREATE_BODY,
  deepListPath,
  listPath,
  patchPlan,
  preparePatch,
  searchPath,
  taskPath,
  writers,
} from './support/targets.ts';
import { positiveNumber } from './support/settings.ts';
import { median } from './support/stats.ts';

const seconds = Math.round(positiveNumber('SOAK_SECONDS', 600));
const settings = {
  seconds,
  interval: Math.round(positiveNumber('SOAK_INTERVAL_SECONDS', Math.min(60, Math.max(5, seconds / 10)))),
  share: positiveNumber('SOAK_LOAD', 0.5),
  connections: Math.round(positiveNumber('BENCH_CONNECTIONS', 32)),
  poolMax: Math.round(positiveNumber('DATABASE_POOL_MAX', 10)),
};
const CAPACITY_SECONDS = 10;
const P99_FACTOR = 2;
const RSS_GROWTH = 0.1;

const progress = (message: string): void => {
  process.stderr.write(`[soak] ${message}\n`);
};
const cleanup = new Cleanup(progress);

/**
 * Each connection cycles through a mix of 8 requests, a quarter of them writes: the single
 * task, the status list and its second page, a search, the tenant, a PATCH of its own task
 * (If-Match, status flip) and a create.
 */
function mixedPlan(data: SeededData, index: number): ClientPlan {
  const writer = writers(data)[index % writers(data).length];
  const task = data.writeTasks[2 + index];
  if (!writer || !task) throw new Error(`no writer or task for connection ${index}`);
  const auth = { authorization: `Bearer ${writer.accessToken}` };
  const patch = patchPlan(data, task, writer.accessToken);
  const get = (path: string) => () => ({ method: 'GET' as const, path, headers: auth, body: undefined });
  const mix = [
    get(taskPath(data)),
    get(listPath(data)),
    () => {
      const changes = patch.next?.();
      return {
        method: 'PATCH' as const,
        path: patch.path,
        headers: { ...patch.headers, ...changes?.headers },
        body: changes?.body,
      };
    },
    get(searchPath(data)),
    get(deepListPath(data)),
    () => ({
      method: 'POST' as const,
      path: `/api/v1/tenants/${data.tenantId}/projects/${data.writeProjectId}/tasks`,
      headers: { ...auth, 'content-type': 'application/json' },
      body: CREATE_BODY,
    }),
    get(taskPath(data)),
    get(`/api/v1/tenants/${data.tenantId}`),
  ];
  let step = 0;
  let lastWasPatch = false;
  return {
    method: 'GET',
    path: taskPath(data),
    headers: auth,
    next: () => {
      const kind = step++ % mix.length;
      lastWasPatch = kind === 2;
      const request = mix[kind]?.();
      if (!request) throw new Error('empty mix');
      return { ...request, headers: { ...auth, ...request.headers } };
    },
    onResponse: (status, headers) => {
      if (lastWasPatch) patch.onResponse?.(status, headers);
    },
  };
}

async function rssMegabytes(app: Server): Promise<number> {
  const status = await readFile(`/proc/${app.child.pid}/status`, 'utf8');
  const kilobytes = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  return kilobytes / 1024;
}

async function run(app: Server, data: SeededData, secondsToRun: number, overallRate?: number): Promise<LoadResult> {
  await preparePatch(app.base, data, data.writeTasks.slice(2, 2 + settings.connections));
  return load({
    base: app.base,
    connections: settings.connections,
    seconds: secondsToRun,
    overallRate,
    client: (index) => mixedPlan(data, index),
  });
}

async function main(): Promise<number> {
  const stack = await startStack(cleanup, { poolMax: settings.poolMax, connections: settings.connections, progress });
  await StatementTrace.setLogging(stack.serverUrl, false);
  await stack.baseline.child.stop(); // the soak loads the app alone
  const { app, data } = stack;

  progress(`measuring capacity: the mix at full speed for ${CAPACITY_SECONDS} s`);
  const capacity = await run(app, data, CAPACITY_SECONDS);
  if (capacity.bad > 0) throw new Error(`errors while measuring capacity: ${capacity.badDetail}`);
  const rate = Math.max(1, Math.round(capacity.requestsPerSecond * settings.share));
  progress(
    `capacity ${Math.round(capacity.requestsPerSecond)} req/s (p99 ${capacity.p99} ms); soaking at ${rate} req/s ` +
      `for ${settings.seconds} s in ${settings.interval} s intervals`,
  );

  // One continuous run (no gaps between intervals); each interval's figures from its own responses.
  const rows: { at: number; result: LoadResult; rss: number; load: number }[] = [];
  let latencies: number[] = [];
  let failures = 0;
  let elapsed = 0;
  const sample = async () => {
    elapsed += settings.interval;
    const sorted = latencies.sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
    const result: LoadResult = {
      requestsPerSecond: (sorted.length - failures) / settings.interval,
      p50: Math.round(at(50)),
      p99: Math.round(at(99)),
      ok: sorted.length - failures,
      bad: failures,
      badDetail: failures ? `${failures} non-2xx or errors` : '',
    };
    latencies = [];
    failures = 0;
    const rss = await rssMegabytes(app);
    rows.push({ at: elapsed, result, rss, load: loadavg()[0] ?? 0 });
    progress(
      `${elapsed} s: ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50} ms, ` +
        `p99 ${result.p99} ms, errors ${result.bad}, RSS ${rss.toFixed(0)} MB`,
    );
  };
  await preparePatch(app.base, data, data.writeTasks.slice(2, 2 + settings.connections));
  const sampler = setInterval(() => void sample(), settings.interval * 1000);
  const total = await load({
    base: app.base,
    connections: settings.connections,
    seconds: settings.seconds,
    overallRate: rate,
    client: (index) => mixedPlan(data, index),
    onEach: (status, latency) => {
      latencies.push(latency);
      if (status < 200 || status > 299) failures++;
    },
    onError: () => failures++,
  });
  clearInterval(sampler);
  if (total.bad > 0) progress(`failed responses over the whole soak: ${total.badDetail}`);

  // The first interval is the warm-up (JIT, pools, caches): stability is judged after it.
  const settled = rows.length > 1 ? rows.slice(1) : rows;
  const medianP99 = median(settled.map((row) => row.result.p99));
  // RSS moves with every collection: the median of the first three samples after warm-up
  // against the median of the last three.
  const rssAfterWarmup = median(settled.slice(0, 3).map((row) => row.rss));
  const rssLast = median(settled.slice(-3).map((row) => row.rss));
  const growth = rssLast / rssAfterWarmup - 1;
  const errors = Math.max(
    total.bad,
    rows.reduce((sum, row) => sum + row.result.bad, 0),
  );
  const unstable = settled.filter((row) => row.result.p99 > P99_FACTOR * Math.max(medianP99, 1));
  const breaches = [
    ...(errors > 0 ? [`${errors} failed responses`] : []),
    ...unstable.map(
      (row) => `p99 ${row.result.p99} ms at ${row.at} s is over ${P99_FACTOR}× the median ${medianP99} ms`,
    ),
    ...(growth > RSS_GROWTH ? [`RSS grew ${(growth * 100).toFixed(1)} % after warm-up`] : []),
  ];

  const table = markdownTable(
    ['at s', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'RSS MB', 'load avg'],
    rows.map((row) => [
      String(row.at),
      Math.round(row.result.requestsPerSecond).toString(),
      String(row.result.p50),
      String(row.result.p99),
      String(row.result.bad),
      row.rss.toFixed(0),
      row.load.toFixed(2),
    ]),
  );
  process.stdout.write(
    [
      '',
      `Soak: ${settings.seconds} s of mixed reads and writes (a quarter writes) at ${rate} req/s, ` +
        `${Math.round(settings.share * 100)} % of the ${Math.round(capacity.requestsPerSecond)} req/s measured first`,
      `Node ${process.version}, ${availableParallelism()} CPUs, NODE_ENV=production, LOG_LEVEL=info, pool of ${settings.poolMax}, ${settings.connections} connections`,
      '',
      table,
      '',
      `p99 median ${medianP99} ms after warm-up; RSS (median of three samples) ${rssAfterWarmup.toFixed(0)} MB after warm-up, ${rssLast.toFixed(0)} MB at the end (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %)`,
      breaches.length ? `BREACH: ${breaches.join('; ')}` : 'PASS: no errors, p99 stable, RSS growth ≤ 10 %',
      '',
    ].join('\n'),
  );
  return breaches.length ? 1 : 0;
}

await cleanup.runMain(main);
