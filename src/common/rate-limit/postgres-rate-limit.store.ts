import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { RateLimitCounterRepository } from './rate-limit-counter.repository.js';
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
  constructor(private readonly counters: RateLimitCounterRepository) {}

  async take(key: string, limit: number, windowMs: number): Promise<Taken> {
    const hit = await this.counters.takeHit(key, limit, windowMs);
    if (hit) return { taken: true, slot: { key, expiresAt: hit.slot } };
    return { taken: false, retryAfterSeconds: await this.fullFor(key, limit) };
  }

  async release(slot: Slot): Promise<void> {
    await this.counters.releaseHit(slot.key, slot.expiresAt);
  }

  async retryAfter(key: string, limit: number): Promise<number> {
    const ms = await this.counters.fullFor(key, limit);
    return ms === null ? 0 : seconds(ms);
  }

  /** Nest's throttler (the registration limits): counts every request, a sliding window. */
  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const hit = await this.counters.takeHit(key, limit, ttl);
    if (hit) {
      const timeToExpire = seconds(hit.oldestMs);
      return { totalHits: hit.count, timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
    }
    const retryAfter = await this.fullFor(key, limit);
    return { totalHits: limit + 1, timeToExpire: retryAfter, isBlocked: true, timeToBlockExpire: retryAfter };
  }

  private async fullFor(key: string, limit: number): Promise<number> {
    // Expired between the two statements: free again, retry at once.
    return (await this.retryAfter(key, limit)) || 1;
  }
}
