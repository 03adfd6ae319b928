// Decorator-free (the entity is imported as a type only), so that the benchmark
// (`npm run bench:limits`, plain Node) builds and times exactly these statements.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../database/database-schema.js';
import { SqlRepository } from '../../database/typed-sql.js';
import type { RateLimitCounter } from './rate-limit-counter.entity.js';

/** PostgreSQL's clock in epoch milliseconds: one clock for every instance. */
const NOW_MS = sql<string>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/**
 * Counts in one statement, under the row lock of its key, so parallel attempts on any
 * instances cannot overshoot: drops the expired hits, and appends one unless `limit` are
 * live. Returns no row when the window is full; else `slot` (the hit counted: its expiry,
 * epoch ms, as text), `count` (live hits, this one included) and `oldest_ms` (milliseconds
 * until the oldest live hit expires, as text).
 */
export function takeHitStatement(db: Kysely<Database>, key: string, limit: number, windowMs: number) {
  return db
    .with('clock', (qb) => qb.selectNoFrom(NOW_MS.as('now')))
    .insertInto('rate_limit_counters')
    .columns(['key', 'hits', 'expires_at'])
    .expression((eb) =>
      eb
        .selectFrom('clock')
        .select((eb) => [
          eb.val(key).as('key'),
          sql<string[]>`array[${eb.ref('clock.now')} + ${windowMs}]`.as('hits'),
          eb
            .fn<string>('to_timestamp', [sql<string>`(${eb.ref('clock.now')} + ${windowMs}) / 1000.0`])
            .as('expires_at'),
        ]),
    )
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet((eb) => ({
          hits: sql<
            string[]
          >`array(select h from unnest(${eb.ref('rate_limit_counters.hits')}) as h where h > (select now from clock)) || ${eb.ref('excluded.hits')}`,
          expires_at: eb.fn<string>('greatest', [
            eb.ref('rate_limit_counters.expires_at'),
            eb.ref('excluded.expires_at'),
          ]),
        }))
        .where((eb) =>
          eb(
            // Compared in SQL only, never read: PostgreSQL's bigint against the limit.
            sql<number>`(select count(*) from unnest(${eb.ref('rate_limit_counters.hits')}) as h where h > (select now from clock))`,
            '<',
            limit,
          ),
        ),
    )
    .returning((eb) => [
      sql<string>`${eb.ref('hits')}[cardinality(${eb.ref('hits')})]`.as('slot'),
      eb.fn<number>('cardinality', [eb.ref('hits')]).as('count'),
      sql<string>`(select min(h) from unnest(${eb.ref('hits')}) as h) - (select now from clock)`.as('oldest_ms'),
    ]);
}

/**
 * Milliseconds (as text) until the `limit`-th newest live hit expires (room for one more);
 * null, or no row, while under `limit`.
 */
export function fullForStatement(db: Kysely<Database>, key: string, limit: number) {
  return db
    .selectFrom('rate_limit_counters')
    .where('key', '=', key)
    .select((eb) =>
      sql<
        string | null
      >`(select h from unnest(${eb.ref('hits')}) as h where h > ${NOW_MS} order by h desc offset ${limit - 1} limit 1) - ${NOW_MS}`.as(
        'ms',
      ),
    );
}

/** Removes one occurrence of the slot's hit. */
export function releaseHitStatement(db: Kysely<Database>, key: string, slot: number) {
  return db
    .updateTable('rate_limit_counters')
    .set((eb) => ({
      hits: sql<
        string[]
      >`${eb.ref('hits')}[:array_position(${eb.ref('hits')}, ${slot}::bigint) - 1] || ${eb.ref('hits')}[array_position(${eb.ref('hits')}, ${slot}::bigint) + 1:]`,
    }))
    .where('key', '=', key)
    .where((eb) => eb(eb.cast<string>(eb.val(slot), 'bigint'), '=', eb.fn.any('hits')));
}

/** A hit counted under a key: what `release` takes back. */
export interface CountedHit {
  /** The hit's expiry (epoch ms). */
  slot: number;
  /** Live hits, this one included. */
  count: number;
  /** Milliseconds until the oldest live hit expires. */
  oldestMs: number;
}

/**
 * The rate-limit counters shared by every instance (one row per key, not tenant data):
 * sliding windows as the expiry times of their live hits. Each statement runs on its own,
 * outside any transaction of the caller (a refresh counts while rotating its token): a
 * count stands even if that transaction rolls back, and no counter row stays locked for
 * the length of it.
 */
export class RateLimitCounterRepository extends SqlRepository<RateLimitCounter> {
  /** Counts one hit under `key` unless `limit` are live in the window; null when full. */
  async takeHit(key: string, limit: number, windowMs: number): Promise<CountedHit | null> {
    const row = await takeHitStatement(this.sqlOutsideTransaction(), key, limit, windowMs).executeTakeFirst();
    return row ? { slot: Number(row.slot), count: row.count, oldestMs: Number(row.oldest_ms) } : null;
  }

  /** Milliseconds until one more hit fits under `limit`; null while there is room. */
  async fullFor(key: string, limit: number): Promise<number | null> {
    const row = await fullForStatement(this.sqlOutsideTransaction(), key, limit).executeTakeFirst();
    return row?.ms == null ? null : Number(row.ms);
  }

  /** Takes back one hit counted by `takeHit`. */
  async releaseHit(key: string, slot: number): Promise<void> {
    await releaseHitStatement(this.sqlOutsideTransaction(), key, slot).execute();
  }
}
