import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { RateLimitStore, Slot, Taken } from './rate-limit.store.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** PostgreSQL's clock in epoch milliseconds: one clock for every instance. */
const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/**
 * Counts in one statement, under the row lock of its key, so parallel attempts on any
 * instances cannot overshoot: drops the expired hits, and appends one unless `limit` are
 * live. Returns nothing when the window is full.
 */
const TAKE = `
with clock as (select ${NOW_MS} as now)
insert into rate_limit_counters as c (key, hits, expires_at)
select ?, array[clock.now + ?], to_timestamp((clock.now + ?) / 1000.0) from clock
on conflict (key) do update
  set hits = array(select h from unnest(c.hits) as h where h > (select now from clock)) || excluded.hits,
      expires_at = greatest(c.expires_at, excluded.expires_at)
  where (select count(*) from unnest(c.hits) as h where h > (select now from clock)) < ?
returning c.hits[cardinality(c.hits)] as slot, cardinality(c.hits) as count,
  (select min(h) from unnest(c.hits) as h) - (select now from clock) as oldest_ms`;

/** Milliseconds until the `limit`-th newest live hit expires (room for one more); no row while under `limit`. */
const FULL_FOR = `
select h - ${NOW_MS} as ms from rate_limit_counters, unnest(hits) as h
where key = ? and h > ${NOW_MS} order by h desc offset ? limit 1`;

/** Removes one occurrence of the slot's hit. */
const RELEASE = `
update rate_limit_counters
set hits = hits[:array_position(hits, ?::bigint) - 1] || hits[array_position(hits, ?::bigint) + 1:]
where key = ? and ?::bigint = any(hits)`;

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/**
 * Rate-limit counters in PostgreSQL, so that every instance behind a balancer counts
 * against the same budget: one upsert per counted attempt (next to a bcrypt hash, a few
 * hundred microseconds; README, "Operating several instances"). Sliding windows, like
 * the in-memory store.
 */
@Injectable()
export class PostgresRateLimitStore implements RateLimitStore {
  constructor(private readonly em: EntityManager) {}

  async take(key: string, limit: number, windowMs: number): Promise<Taken> {
    const [row] = await this.execute<{ slot: string; count: number; oldest_ms: string }>(TAKE, [
      key,
      windowMs,
      windowMs,
      limit,
    ]);
    if (row) return { taken: true, slot: { key, expiresAt: Number(row.slot) } };
    return { taken: false, retryAfterSeconds: await this.fullFor(key, limit) };
  }

  async release(slot: Slot): Promise<void> {
    await this.execute(RELEASE, [slot.expiresAt, slot.expiresAt, slot.key, slot.expiresAt]);
  }

  async retryAfter(key: string, limit: number): Promise<number> {
    const [row] = await this.execute<{ ms: string }>(FULL_FOR, [key, limit - 1]);
    return row ? seconds(Number(row.ms)) : 0;
  }

  /** Nest's throttler (the registration limits): counts every request, a sliding window. */
  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const [row] = await this.execute<{ count: number; oldest_ms: string }>(TAKE, [key, ttl, ttl, limit]);
    if (row) {
      const timeToExpire = seconds(Number(row.oldest_ms));
      return { totalHits: row.count, timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
    }
    const retryAfter = await this.fullFor(key, limit);
    return { totalHits: limit + 1, timeToExpire: retryAfter, isBlocked: true, timeToBlockExpire: retryAfter };
  }

  private async fullFor(key: string, limit: number): Promise<number> {
    // Expired between the two statements: free again, retry at once.
    return (await this.retryAfter(key, limit)) || 1;
  }

  private execute<T extends object>(sql: string, params: unknown[]): Promise<T[]> {
    return this.em.getConnection().execute<T[]>(sql, params, 'all');
  }
}
