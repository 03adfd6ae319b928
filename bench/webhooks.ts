// How fast webhooks deliver (issue 22: 1 000 changes all delivered to a local receiver within
// 10 s on this 2-core machine). Run with `npm run bench:webhooks` (builds first). Starts an
// embedded PostgreSQL and the built app (as stack.ts does, but NODE_ENV=development: in
// production webhooks only reach public https addresses), seeds a tenant through the API,
// subscribes a receiver on 127.0.0.1 to `task.updated`, makes WEBHOOK_CHANGES task PATCHes
// from WEBHOOK_WRITERS concurrent clients, and waits until every event has arrived once.
//
// Settings (environment): WEBHOOK_CHANGES (1000), WEBHOOK_WRITERS (8), JOB_CONCURRENCY (the
// app's default, 2), DATABASE_POOL_MAX (10).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseUrl, ensureDatabase } from '../src/database/embedded-postgres.ts';
import { Cleanup } from './support/cleanup.ts';
import { seed } from './support/seed.ts';
import { cpuSeconds, treeCpuSeconds } from './support/process-cpu.ts';
import { positiveInteger } from './support/settings.ts';
import { startApp, startPostgres } from './support/stack.ts';
import { markdownTable } from './support/table.ts';

const progress = (message: string): void => {
  process.stderr.write(`[webhooks] ${message}\n`);
};
const cleanup = new Cleanup(progress);
const changes = positiveInteger('WEBHOOK_CHANGES', 1000);
const writers = positiveInteger('WEBHOOK_WRITERS', 8);
const poolMax = positiveInteger('DATABASE_POOL_MAX', 10);
const jobConcurrency = process.env.JOB_CONCURRENCY;
const TARGET_SECONDS = 10;
const GIVE_UP_MS = 180_000;

/** A receiver that answers 204 at once and notes when each webhook-id first arrived. */
async function startReceiver(): Promise<{ url: string; arrivals: Map<string, number> }> {
  const arrivals = new Map<string, number>();
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const id = request.headers['webhook-id'];
      if (typeof id === 'string' && !arrivals.has(id)) arrivals.set(id, performance.now());
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add('stop the receiver', () => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the receiver has no port');
  return { url: `http://127.0.0.1:${address.port}/hooks`, arrivals };
}

/**
 * The writers' client: node:http over kept-alive connections, like autocannon in the other
 * benchmarks. With `fetch` this process (writers and receiver) spent 1.9-2.3 s of CPU during
 * the 1 000 changes, against 1.25 s, on the two cores the app and PostgreSQL share.
 */
const writerAgent = new http.Agent({ keepAlive: true });

function call(method: string, url: string, token: string, body: object): Promise<number> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method,
      agent: writerAgent,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      },
    });
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(payload);
  });
}

async function main(): Promise<number> {
  const { serverUrl, postmasterPid } = await startPostgres(cleanup, progress);
  await ensureDatabase(serverUrl, 'yello_webhooks');
  const app = await startApp(cleanup, {
    url: databaseUrl(serverUrl, 'yello_webhooks'),
    poolMax,
    jwtSecret: randomBytes(32).toString('base64url'),
    appEnv: { NODE_ENV: 'development', ...(jobConcurrency && { JOB_CONCURRENCY: jobConcurrency }) },
  });
  cleanup.add("close the writers' connections", () => {
    writerAgent.destroy();
    return Promise.resolve();
  });
  progress('seeding through the API');
  const data = await seed(app.base, 2, writers);
  const token = data.members[0]?.accessToken ?? '';
  const api = `${app.base}/api/v1/tenants/${data.tenantId}`;
  const receiver = await startReceiver();
  const created = await call('POST', `${api}/webhooks`, token, { url: receiver.url, events: ['task.updated'] });
  if (created !== 201) throw new Error(`creating the webhook: ${created}`);

  // Where the CPU goes while the changes are made and delivered (Linux only: /proc).
  const cpuNow = async () => {
    const own = process.cpuUsage();
    return {
      app: await cpuSeconds(app.child.pid),
      postgres: await treeCpuSeconds(await postmasterPid()),
      benchmark: (own.user + own.system) / 1e6,
    };
  };
  progress(`${changes} task PATCHes from ${writers} clients`);
  const cpuBefore = await cpuNow();
  const started = performance.now();
  let sent = 0;
  let failed = 0;
  await Promise.all(
    data.writeTasks.map(async (task, writer) => {
      for (let round = 0; sent < changes; round++) {
        sent++;
        const priority = (round + writer) % 2 === 0 ? 'high' : 'low';
        if ((await call('PATCH', `${api}/tasks/${task.key}`, token, { priority })) !== 200) failed++;
      }
    }),
  );
  const lastCommit = performance.now();
  const expected = changes - failed;
  while (receiver.arrivals.size < expected && performance.now() - started < GIVE_UP_MS) await sleep(50);
  const cpuAfter = await cpuNow();
  const cpuSpent = (part: keyof typeof cpuBefore) => {
    const [before, after] = [cpuBefore[part], cpuAfter[part]];
    return before === undefined || after === undefined ? '–' : (after - before).toFixed(2);
  };
  const lastArrival = Math.max(...receiver.arrivals.values());
  const all = receiver.arrivals.size >= expected && failed === 0;
  const toLast = (lastArrival - started) / 1000;
  const pass = all && toLast <= TARGET_SECONDS;
  process.stdout.write(
    [
      '',
      `${changes} changes delivered to a local webhook receiver`,
      `Node ${process.version}, ${availableParallelism()} CPUs (load average ${(loadavg()[0] ?? 0).toFixed(2)}), ` +
        `${writers} concurrent writers, JOB_CONCURRENCY ${jobConcurrency ?? '2 (default)'}; target: all delivered ` +
        `within ${TARGET_SECONDS} s of the first change`,
      '',
      markdownTable(
        [
          'changes (failed)',
          'delivered',
          'first change → last commit s',
          'first change → last delivery s',
          'last commit → last delivery s',
          'CPU s app / PostgreSQL / benchmark',
        ],
        [
          [
            `${changes} (${failed})`,
            String(receiver.arrivals.size),
            ((lastCommit - started) / 1000).toFixed(2),
            toLast.toFixed(2),
            ((lastArrival - lastCommit) / 1000).toFixed(2),
            `${cpuSpent('app')} / ${cpuSpent('postgres')} / ${cpuSpent('benchmark')}`,
          ],
        ],
      ),
      '',
      pass ? 'PASS' : 'FAIL',
      '',
    ].join('\n'),
  );
  return pass ? 0 : 1;
}

await cleanup.runMain(main);
