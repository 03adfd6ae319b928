import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';

// Not exported by the package's entry point.
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** One counted attempt, which `release` can un-count. */
export interface Slot {
  readonly key: string;
  readonly expiresAt: number;
}

export type Taken = { taken: true; slot: Slot } | { taken: false; retryAfterSeconds: number };

/**
 * Where rate-limit counters live: in this process (`MemoryRateLimitStore`) or shared by
 * every instance (`PostgresRateLimitStore`). Nest's throttler counts requests through
 * `increment`; the failure limits (logins, tokens) through `take`, `release` and
 * `retryAfter`, each a sliding window of `windowMs`.
 */
export abstract class RateLimitStore implements ThrottlerStorage {
  abstract increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord>;

  /** Counts one attempt unless `limit` are already counted: check and count in one step, so parallel attempts cannot overshoot. */
  abstract take(key: string, limit: number, windowMs: number): Promise<Taken>;

  /** Un-counts an attempt that turned out not to matter (a successful login). */
  abstract release(slot: Slot): Promise<void>;

  /** Seconds until `key` is under `limit` again; 0 when it is. Counts nothing. */
  abstract retryAfter(key: string, limit: number, windowMs: number): Promise<number>;
}

const SWEEP_INTERVAL_MS = 60_000;

/** In process memory: each instance counts on its own. */
@Injectable()
export class MemoryRateLimitStore extends ThrottlerStorageService implements RateLimitStore, OnApplicationShutdown {
  /** Expiry times of the counted attempts of each key, oldest first. */
  private readonly windows = new Map<string, number[]>();
  private sweeper?: NodeJS.Timeout;

  take(key: string, limit: number, windowMs: number): Promise<Taken> {
    const now = Date.now();
    const hits = this.live(key, now);
    if (hits.length >= limit)
      return Promise.resolve({ taken: false, retryAfterSeconds: secondsUntil(hits, limit, now) });
    const slot = { key, expiresAt: now + windowMs };
    hits.push(slot.expiresAt);
    this.windows.set(key, hits);
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();
    return Promise.resolve({ taken: true, slot });
  }

  release(slot: Slot): Promise<void> {
    const hits = this.windows.get(slot.key);
    const index = hits?.indexOf(slot.expiresAt) ?? -1;
    if (hits && index >= 0) hits.splice(index, 1);
    return Promise.resolve();
  }

  retryAfter(key: string, limit: number): Promise<number> {
    const now = Date.now();
    const hits = this.live(key, now);
    return Promise.resolve(hits.length >= limit ? secondsUntil(hits, limit, now) : 0);
  }

  override onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.windows.clear();
    super.onApplicationShutdown();
  }

  private live(key: string, now: number): number[] {
    const hits = (this.windows.get(key) ?? []).filter((expiresAt) => expiresAt > now);
    if (hits.length === 0) this.windows.delete(key);
    else this.windows.set(key, hits);
    return hits;
  }

  private sweep(): void {
    const now = Date.now();
    for (const key of this.windows.keys()) this.live(key, now);
  }
}

/** When enough of the oldest attempts have expired to leave room for one more. */
function secondsUntil(hits: readonly number[], limit: number, now: number): number {
  const freeing = hits[hits.length - limit] ?? now;
  return Math.max(1, Math.ceil((freeing - now) / 1000));
}
