// What a bulk change of 100 tasks costs against one task PATCH (issue 23: at most 10×).
// Run with `npm run bench:bulk` (builds first). Starts an embedded PostgreSQL and the built
// app as deployed (see stack.ts), seeds a tenant through the API with 100 tasks to write to,
// then, one request at a time, alternates a PATCH of one task (its priority) and a bulk
// change of all 100 (their priority), BULK_ROUNDS times after BULK_WARMUP rounds, and prints
// the answer times of both and their ratio.
//
// Settings (environment): BULK_ROUNDS (30), BULK_WARMUP (5), DATABASE_POOL_MAX (10).
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { databaseUrl, ensureDatabase } from '../src/database/embedded-postgres.ts';
import { Cleanup } from './support/cleanup.ts';
import { seed } from './support/seed.ts';
import { positiveInteger } from './support/settings.ts';
import { startApp, startPostgres } from './support/stack.ts';
import { median, percentile } from './support/stats.ts';
import { markdownTable } from './support/table.ts';

const progress = (message: string): void => {
  process.stderr.write(`[bulk] ${message}\n`);
};
const cleanup = new Cleanup(progress);
const rounds = positiveInteger('BULK_ROUNDS', 30);
const warmup = positiveInteger('BULK_WARMUP', 5);
const poolMax = positiveInteger('DATABASE_POOL_MAX', 10);
const TASKS = 100;
const TARGET_RATIO = 10;
const PRIORITIES = ['low', 'high'] as const;

async function timed(url: string, method: string, token: string, body: object): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${method} ${url}: ${response.status}`);
  return performance.now() - started;
}

async function main(): Promise<number> {
  const { serverUrl } = await startPostgres(cleanup, progress);
  await ensureDatabase(serverUrl, 'yello_bulk');
  const app = await startApp(cleanup, {
    url: databaseUrl(serverUrl, 'yello_bulk'),
    poolMax,
    jwtSecret: randomBytes(32).toString('base64url'),
  });
  progress(`seeding through the API: 1 tenant, ${TASKS} tasks to change`);
  const data = await seed(app.base, 2, TASKS);
  const token = data.members[0]?.accessToken ?? '';
  const api = `${app.base}/api/v1/tenants/${data.tenantId}/tasks`;
  const keys = data.writeTasks.map((task) => task.key);
  const one = data.writeTasks[0]?.key ?? '';

  const patch: number[] = [];
  const bulk: number[] = [];
  for (let round = 0; round < warmup + rounds; round++) {
    const priority = PRIORITIES[round % 2] ?? 'low';
    const patchMs = await timed(`${api}/${one}`, 'PATCH', token, { priority });
    const bulkMs = await timed(`${api}/bulk`, 'POST', token, { tasks: keys, set: { priority } });
    if (round < warmup) continue;
    patch.push(patchMs);
    bulk.push(bulkMs);
  }
  const ratio = median(bulk) / median(patch);
  const row = (name: string, times: number[]) => [
    name,
    median(times).toFixed(1),
    percentile(times, 90).toFixed(1),
    Math.max(...times).toFixed(1),
  ];
  process.stdout.write(
    [
      '',
      `Bulk change of ${TASKS} tasks vs one PATCH`,
      `Node ${process.version}, ${availableParallelism()} CPUs (load average ${(loadavg()[0] ?? 0).toFixed(2)}), ` +
        `one request at a time, ${rounds} rounds after ${warmup} of warm-up; target: bulk ≤ ${TARGET_RATIO}× PATCH (medians)`,
      '',
      markdownTable(
        ['request', 'p50 ms', 'p90 ms', 'max ms'],
        [row('PATCH one task (priority)', patch), row(`POST /tasks/bulk, ${TASKS} tasks (priority)`, bulk)],
      ),
      '',
      `bulk / PATCH: ${ratio.toFixed(1)}× — ${ratio <= TARGET_RATIO ? 'PASS' : 'FAIL'}`,
      '',
    ].join('\n'),
  );
  return ratio <= TARGET_RATIO ? 0 : 1;
}

await cleanup.runMain(main);
