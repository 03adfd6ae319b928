import { Injectable } from '@nestjs/common';
import { RateLimited } from '../http/domain-error.js';
import { RateLimitStore, type Slot } from './rate-limit.store.js';

/** At most `limit` counted attempts under `key` in any `windowMs`. */
export interface FailureLimit {
  key: string;
  limit: number;
  windowMs: number;
}

/**
 * Limits that count failures, not requests: guessing is what costs a client its budget,
 * so the right password or a valid token never does.
 */
@Injectable()
export class FailureLimiter {
  constructor(private readonly store: RateLimitStore) {}

  /**
   * Runs `attempt` holding one slot under each limit (a 429 if one is full); the slots
   * stay counted only if it fails with an error `isFailure` recognises.
   */
  async attempt<T>(
    limits: FailureLimit[],
    attempt: () => Promise<T>,
    isFailure: (error: unknown) => boolean,
  ): Promise<T> {
    const slots: Slot[] = [];
    for (const { key, limit, windowMs } of limits) {
      const taken = await this.store.take(key, limit, windowMs);
      if (!taken.taken) {
        await this.releaseAll(slots);
        throw new RateLimited(taken.retryAfterSeconds);
      }
      slots.push(taken.slot);
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
  async assertUnder({ key, limit, windowMs }: FailureLimit): Promise<void> {
    const retryAfterSeconds = await this.store.retryAfter(key, limit, windowMs);
    if (retryAfterSeconds > 0) throw new RateLimited(retryAfterSeconds);
  }

  /** Counts one failure (none beyond the limit: a full window stays full). */
  async record({ key, limit, windowMs }: FailureLimit): Promise<void> {
    await this.store.take(key, limit, windowMs);
  }

  /** Counts one attempt, or a 429 when `limit` is full. */
  async take({ key, limit, windowMs }: FailureLimit): Promise<void> {
    const taken = await this.store.take(key, limit, windowMs);
    if (!taken.taken) throw new RateLimited(taken.retryAfterSeconds);
  }

  private async releaseAll(slots: Slot[]): Promise<void> {
    for (const slot of slots) await this.store.release(slot);
  }
}
