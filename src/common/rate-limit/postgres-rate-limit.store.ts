import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { FULL_FOR, RELEASE, TAKE, type TakeRow } from './rate-limit-counters.sql.js';
import type { RateLimitStore, Slot, Taken } from './rate-limit.store.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

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
    const [row] = await this.execute<TakeRow>(TAKE, TAKE.params(key, limit, windowMs));
    if (row) return { taken: true, slot: { key, expiresAt: Number(row.slot) } };
    return { taken: false, retryAfterSeconds: await this.fullFor(key, limit) };
  }

  async release(slot: Slot): Promise<void> {
    await this.execute(RELEASE, RELEASE.params(slot.key, slot.expiresAt));
  }

  async retryAfter(key: string, limit: number): Promise<number> {
    const [row] = await this.execute<{ ms: string }>(FULL_FOR, FULL_FOR.params(key, limit));
    return row ? seconds(Number(row.ms)) : 0;
  }

  /** Nest's throttler (the registration limits): counts every request, a sliding window. */
  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const [row] = await this.execute<TakeRow>(TAKE, TAKE.params(key, limit, ttl));
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

  private execute<T extends object>(statement: { sql: string }, params: unknown[]): Promise<T[]> {
    return this.em.getConnection().execute<T[]>(statement.sql, params, 'all');
  }
}
