import { Injectable } from '@nestjs/common';
import { RateLimited } from '../http/domain-error.js';
import { PostgresRateLimitStore } from './postgres-rate-limit.store.js';
import { MemoryRateLimitStore, type RateLimitStore, type Slot } from './rate-limit.store.js';

/**
 * Where a limit counts: across every instance (in PostgreSQL: a limit that protects an
 * account must not multiply with the number of instances), or in this process (cheaper,
 * for limits checked on every request whose budget may grow with the instances).
 */
export type LimitScope = 'cluster' | 'instance';

/** At most `limit` counted attempts under `key` in any `windowMs`. */
export interface FailureLimit {
  key: string;
  limit: number;
  windowMs: number;
  scope: LimitScope;
}

interface HeldSlot {
  store: RateLimitStore;
  slot: Slot;
}

/**
 * Limits that count failures, not requests: guessing is what costs a client its budget,
 * so the right password or a valid token never does.
 */
@Injectable()
export class FailureLimiter {
  constructor(
    private readonly instance: MemoryRateLimitStore,
    private readonly cluster: PostgresRateLimitStore,
  ) {}

  /**
   * Runs `attempt` holding one slot under each limit (a 429 if one is full); the slots
   * stay counted only if it fails with an error `isFailure` recognises.
   */
  async attempt<T>(
    limits: FailureLimit[],
    attempt: () => Promise<T>,
    isFailure: (error: unknown) => boolean,
  ): Promise<T> {
    const slots: HeldSlot[] = [];
    for (const { key, limit, windowMs, scope } of limits) {
      const store = this.storeFor(scope);
      const taken = await store.take(key, limit, windowMs);
      if (!taken.taken) {
        await this.releaseAll(slots);
        throw new RateLimited(taken.retryAfterSeconds);
      }
      slots.push({ store, slot: taken.slot });
    }
    try {
      const result = await attempt();
      await this.releaseAll(slots);
      return result;
    } catch (error) {
      if (!isFailure(error)) await this.releaseAll(slots);
      throw error;
    }
  }

  /** A 429 when `limit` is full; counts nothing. */
  async assertUnder({ key, limit, windowMs, scope }: FailureLimit): Promise<void> {
    const retryAfterSeconds = await this.storeFor(scope).retryAfter(key, limit, windowMs);
    if (retryAfterSeconds > 0) throw new RateLimited(retryAfterSeconds);
  }

  /** Counts one failure (none beyond the limit: a full window stays full). */
  async record({ key, limit, windowMs, scope }: FailureLimit): Promise<void> {
    await this.storeFor(scope).take(key, limit, windowMs);
  }

  /** Counts one attempt, or a 429 when `limit` is full. */
  async take({ key, limit, windowMs, scope }: FailureLimit): Promise<void> {
    const taken = await this.storeFor(scope).take(key, limit, windowMs);
    if (!taken.taken) throw new RateLimited(taken.retryAfterSeconds);
  }

  private storeFor(scope: LimitScope): RateLimitStore {
    return scope === 'cluster' ? this.cluster : this.instance;
  }

  private async releaseAll(slots: HeldSlot[]): Promise<void> {
    for (const { store, slot } of slots) await store.release(slot);
  }
}
