// Does `POST /auth/password/forgot` tell, by its time, whether an account uses an address?
// (issue 24: the medians for known and unknown emails should differ by less than 10 %.)
// Starts the built app (`dist/main.js`) on a fresh database, registers FORGOT_REQUESTS users,
// then asks for resets for a registered and an unknown address in pairs (in random order
// within each pair), one request at a time with a pause between (so a job started by one
// request does not land on the next one's clock), each address once, and prints the
// answer times of both kinds. Mails go to a temporary
// outbox (no SMTP_URL): the jobs run in the app meanwhile, as they would in production.
// Run with `npm run bench:forgot`.
//
// Settings (environment): DATABASE_URL (a server to use instead of an embedded one; the
// database `yello_forgot` on it is dropped and recreated), FORGOT_REQUESTS (50 per kind),
// FORGOT_PAUSE_MS (100, between requests).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '../src/database/embedded-postgres.ts';
import { Child, waitUntilReady } from './support/children.ts';
import { Cleanup } from './support/cleanup.ts';
import { freshDatabase } from './support/database.ts';
import { positiveInteger } from './support/settings.ts';
import { ROOT } from './support/stack.ts';
import { median, percentile } from './support/stats.ts';
import { markdownTable } from './support/table.ts';

const progress = (message: string): void => {
  process.stderr.write(`[forgot] ${message}\n`);
};
const cleanup = new Cleanup(progress);
const requests = positiveInteger('FORGOT_REQUESTS', 50);
const pauseMs = positiveInteger('FORGOT_PAUSE_MS', 100);
const WARM_UP = 10;

async function post(base: string, route: string, body: object): Promise<{ status: number; ms: number; text: string }> {
  const started = performance.now();
  const response = await fetch(`${base}/api/v1${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, ms: performance.now() - started, text };
}

async function main(): Promise<number> {
  const url = await freshDatabase('yello_forgot', cleanup, progress);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yello-forgot-'));
  cleanup.add('remove the outbox', () => rm(dataDir, { recursive: true, force: true }));
  const port = await findFreePort();
  const app = new Child('app', [path.join(ROOT, 'dist/main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      JWT_SECRET: randomUUID() + randomUUID(),
      BCRYPT_COST: '4', // registering the known users; forgot hashes nothing
      RATE_LIMIT_AUTH_PER_MINUTE: '1000000', // every request comes from 127.0.0.1
      RATE_LIMIT_LOGIN_EMAIL_PER_MINUTE: '10000000',
    },
  });
  cleanup.add('stop the app', () => app.stop());
  const base = `http://127.0.0.1:${port}`;
  progress('starting the app (dist/main.js)');
  await waitUntilReady(app, `${base}/health/ready`, 120_000);

  progress(`registering ${requests + WARM_UP} users`);
  const known: string[] = [];
  for (let i = 0; i < requests + WARM_UP; i++) {
    const email = `known-${randomUUID()}@example.com`;
    const registered = await post(base, '/auth/register', { email, name: 'Known', password: 'correct horse battery' });
    if (registered.status !== 201) throw new Error(`register answered ${registered.status}: ${registered.text}`);
    known.push(email);
  }
  const times = { known: [] as number[], unknown: [] as number[] };
  const bodies = new Set<string>();
  progress(`${requests} requests per kind, in pairs (after ${WARM_UP} of each to warm up)`);
  for (let i = 0; i < requests + WARM_UP; i++) {
    const pair = Math.random() < 0.5 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const);
    for (const kind of pair) {
      await sleep(pauseMs);
      const email = kind === 'known' ? (known[i] ?? '') : `unknown-${randomUUID()}@example.com`;
      const answer = await post(base, '/auth/password/forgot', { email });
      if (answer.status !== 202) throw new Error(`forgot answered ${answer.status}: ${answer.text}`);
      bodies.add(answer.text);
      if (i >= WARM_UP) times[kind].push(answer.ms);
    }
  }
  const row = (kind: 'known' | 'unknown') => [
    `${kind} email`,
    String(times[kind].length),
    median(times[kind]).toFixed(2),
    percentile(times[kind], 90).toFixed(2),
    '202',
  ];
  const difference = (median(times.known) / median(times.unknown) - 1) * 100;
  process.stdout.write(
    `\n${markdownTable(['address', 'requests', 'median ms', 'p90 ms', 'status'], [row('known'), row('unknown')])}\n\n` +
      `Medians differ by ${difference.toFixed(1)} % (known vs unknown); ${bodies.size} distinct answer bod${bodies.size === 1 ? 'y' : 'ies'}.\n`,
  );
  return 0;
}

await cleanup.runMain(main);
