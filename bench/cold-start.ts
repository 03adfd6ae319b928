// `npm run bench -- --cold-start`: how long the built app (`dist/main.js`, NODE_ENV=production)
// takes from process start to `/health/ready` answering 200, with an existing, migrated
// database (the target: under 1 s). The first start migrates the fresh database and is not
// counted; then COLD_START_RUNS (7) starts are timed, each a new process.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseUrl, ensureDatabase, findFreePort, startEmbeddedPostgres } from '../src/database/embedded-postgres.ts';
import { Child } from './support/children.ts';
import { Cleanup, startReaper } from './support/cleanup.ts';
import { ROOT } from './support/stack.ts';
import { markdownTable } from './support/table.ts';

const RUNS = Number(process.env.COLD_START_RUNS ?? 7);
const TARGET_MS = 1_000;

const progress = (message: string): void => {
  process.stderr.write(`[cold-start] ${message}\n`);
};
const cleanup = new Cleanup(progress);

/** Milliseconds from spawning the app to its first 200 on /health/ready (polled every 5 ms). */
async function startOnce(env: NodeJS.ProcessEnv, port: number): Promise<number> {
  const started = performance.now();
  const child = new Child('app', [path.join(ROOT, 'dist/main.js')], { cwd: ROOT, env: { ...env, PORT: String(port) } });
  try {
    for (;;) {
      if (child.exit !== undefined) throw new Error(`the app exited (${child.exit}):\n${child.tail()}`);
      if (performance.now() - started > 120_000) throw new Error(`not ready after 120 s:\n${child.tail()}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(1_000) });
        await response.arrayBuffer();
        if (response.ok) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await sleep(5);
    }
  } finally {
    await child.stop();
  }
}

async function main(): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), 'yello-cold-start-'));
  cleanup.add('remove the temporary folder', () => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o755);
  startReaper(dir);
  const postgres = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'data'),
    port: await findFreePort(),
    persistent: false,
  });
  cleanup.add('stop PostgreSQL', () => postgres.stop());
  await ensureDatabase(postgres.url, 'yello');
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl(postgres.url, 'yello'),
    JWT_SECRET: randomBytes(32).toString('base64url'),
  };
  const port = await findFreePort();
  progress(`first start (migrates the new database): ${Math.round(await startOnce(env, port))} ms`);
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    times.push(await startOnce(env, port));
    progress(`start ${run + 1}: ${Math.round(times.at(-1) ?? 0)} ms`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  const pass = median < TARGET_MS;
  process.stdout.write(
    [
      '',
      `Cold start: node dist/main.js (NODE_ENV=production) to /health/ready 200, migrated database; ${RUNS} starts`,
      `Node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()
        .map((value) => value.toFixed(2))
        .join(' ')}`,
      '',
      markdownTable(
        ['min ms', 'median ms', 'max ms', `target median < ${TARGET_MS} ms`],
        [
          [sorted[0], median, sorted.at(-1)]
            .map((value) => String(Math.round(value ?? 0)))
            .concat(pass ? 'PASS' : 'FAIL'),
        ],
        0,
      ),
      '',
    ].join('\n'),
  );
  return pass ? 0 : 1;
}

await cleanup.runMain(main);
