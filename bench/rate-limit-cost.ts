// What the shared login limits cost (issue 10): the statements `RateLimitCounterRepository` runs
// for one login, timed against a real PostgreSQL, next to the bcrypt hash every login pays.
// A login takes a slot under each of its three limits (one upsert each) and, when the
// password is right, gives them back (one update each); a failed login keeps them.
// Run with `npm run bench:limits` (Node's type stripping, with `.js` imports resolved to `.ts`).
//
// Settings (environment): DATABASE_URL (a server to use instead of an embedded one; the
// database `yello_limits` on it is dropped and recreated), LIMITS_LOGINS (2000 per scenario),
// LIMITS_CONCURRENCY (32 logins at once over a pool of 10), BCRYPT_COST (12).
import { randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import { MikroORM } from '@mikro-orm/postgresql';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { mikroOrmOptions } from '../src/database/mikro-orm.options.ts';
import type { Database } from '../src/database/database-schema.ts';
import { releaseHitStatement, takeHitStatement } from '../src/common/rate-limit/rate-limit-counter.repository.ts';
import { Cleanup } from './support/cleanup.ts';
import { freshDatabase } from './support/database.ts';
import { positiveInteger } from './support/settings.ts';
import { markdownTable } from './support/table.ts';

const progress = (message: string): void => {
  process.stderr.write(`[limits] ${message}\n`);
};
const cleanup = new Cleanup(progress);

const settings = {
  logins: positiveInteger('LIMITS_LOGINS', 2000),
  concurrency: positiveInteger('LIMITS_CONCURRENCY', 32),
  bcryptCost: positiveInteger('BCRYPT_COST', 12),
};
const POOL_MAX = 10;
const MINUTE_MS = 60_000;
const LIMITS = [10, 30, 100]; // per (email, IP), per IP, per email: the defaults

interface Login {
  email: string;
  ip: string;
  succeeds: boolean;
}

/** The limiter's statements for one login, as `FailureLimiter.attempt` runs them. */
async function limitLogin(db: Kysely<Database>, { email, ip, succeeds }: Login): Promise<void> {
  const keys = [`login:email+ip:${email}\n${ip}`, `login:ip:${ip}`, `login:email:${email}`];
  const slots: [string, number][] = [];
  for (const [index, key] of keys.entries()) {
    const row = await takeHitStatement(db, key, LIMITS[index] ?? 10, MINUTE_MS).executeTakeFirst();
    if (row) slots.push([key, Number(row.slot)]);
  }
  if (succeeds) for (const [key, slot] of slots) await releaseHitStatement(db, key, slot).execute();
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

interface Row {
  scenario: string;
  statements: number;
  perLogin: number[];
  wallMs: number;
}

async function run(
  db: Kysely<Database>,
  scenario: string,
  concurrency: number,
  login: (i: number) => Login,
): Promise<Row> {
  const perLogin: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < settings.logins) {
        const current = login(next++);
        const t0 = performance.now();
        await limitLogin(db, current);
        perLogin.push(performance.now() - t0);
      }
    }),
  );
  return {
    scenario,
    statements: login(0).succeeds ? 6 : 3,
    perLogin: perLogin.sort((a, b) => a - b),
    wallMs: performance.now() - started,
  };
}

function table(rows: Row[], bcryptMs: number): string {
  const header = ['scenario', 'SQL/login', 'p50 ms', 'p99 ms', 'logins/s', 'p50 vs bcrypt'];
  const body = rows.map((row) => {
    const p50 = percentile(row.perLogin, 50);
    return [
      row.scenario,
      String(row.statements),
      p50.toFixed(2),
      percentile(row.perLogin, 99).toFixed(2),
      Math.round((row.perLogin.length / row.wallMs) * 1000).toString(),
      `${((p50 / bcryptMs) * 100).toFixed(1)} %`,
    ];
  });
  body.push([`bcrypt.compare, cost ${settings.bcryptCost}`, '0', bcryptMs.toFixed(2), '', '', '100 %']);
  return markdownTable(header, body);
}

async function main(): Promise<number> {
  const url = await freshDatabase('yello_limits', cleanup, progress);
  const orm = await MikroORM.init(
    mikroOrmOptions({ url, poolMax: 1 }, { entities: [], discovery: { warnWhenNoEntities: false }, preferTs: true }),
  );
  await orm.migrator.up();
  await orm.close();

  const pool = new pg.Pool({ connectionString: url, max: POOL_MAX });
  // Kysely over the pool, as the app builds the statements (`RateLimitCounterRepository`); it ends the pool.
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  cleanup.add('close the pool', () => db.destroy());

  progress(`bcrypt at cost ${settings.bcryptCost}`);
  const hash = await bcrypt.hash('correct horse battery staple', settings.bcryptCost);
  const bcryptTimes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    await bcrypt.compare('correct horse battery staple', hash);
    bcryptTimes.push(performance.now() - t0);
  }
  const bcryptMs = percentile(
    bcryptTimes.sort((a, b) => a - b),
    50,
  );

  const fresh = (succeeds: boolean) => () => ({
    email: `${randomUUID()}@example.com`,
    ip: `10.0.${randomUUID().slice(0, 4)}`,
    succeeds,
  });
  const rows: Row[] = [];
  // Warm-up: connections, plans.
  await run(db, 'warm-up', settings.concurrency, fresh(true));
  for (const [label, concurrency] of [
    ['one at a time', 1],
    [`${settings.concurrency} at once`, settings.concurrency],
  ] as const) {
    progress(label);
    rows.push(await run(db, `successful login, new client, ${label}`, concurrency, fresh(true)));
    rows.push(await run(db, `failed login, new client, ${label}`, concurrency, fresh(false)));
    // One user from one address signing in over and over: every statement hits the same rows.
    rows.push(
      await run(db, `successful login, same user and IP, ${label}`, concurrency, () => ({
        email: 'same@example.com',
        ip: '10.0.0.1',
        succeeds: true,
      })),
    );
  }
  process.stdout.write(
    `\n${settings.logins} logins per scenario; pool of ${POOL_MAX}; PostgreSQL on loopback.\n\n${table(rows, bcryptMs)}\n`,
  );
  return 0;
}

await cleanup.runMain(main);
