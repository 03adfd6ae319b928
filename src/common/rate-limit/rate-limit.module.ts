import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Injectable, Module } from '@nestjs/common';
import { ThrottlerModule, type ThrottlerStorage } from '@nestjs/throttler';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.module.js';
import { normalizeEmail } from '../validation/decorators.js';
import { FailureLimiter } from './failure-limiter.js';
import { PostgresRateLimitStore } from './postgres-rate-limit.store.js';
import { RateLimitCounter } from './rate-limit-counter.entity.js';
import { RateLimitCountersPurger } from './rate-limit-counters.purger.js';
import { bodyField, clientIp, requestOf, routeHasPolicy, userOrIp } from './rate-limit.js';
import { MemoryRateLimitStore } from './rate-limit.store.js';

const MINUTE_MS = 60_000;

/** The throttlers whose counts every instance shares (registration); the others count per instance. */
const CLUSTER_THROTTLERS = new Set(['credentials-ip', 'credentials-email']);

/** Nest's throttler storage: each named throttler counts in its scope's store. */
@Injectable()
class ScopedThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly instance: MemoryRateLimitStore,
    private readonly cluster: PostgresRateLimitStore,
  ) {}

  // No blocking periods: a refused request is not counted, and `Retry-After` says when the
  // sliding window has room again.
  increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string) {
    const store = CLUSTER_THROTTLERS.has(throttlerName) ? this.cluster : this.instance;
    return store.increment(key, ttl, limit);
  }
}

/** The counters' storage, shared by Nest's throttler and the failure limits. */
@Module({
  imports: [MikroOrmModule.forFeature([RateLimitCounter])],
  providers: [
    MemoryRateLimitStore,
    PostgresRateLimitStore,
    ScopedThrottlerStorage,
    FailureLimiter,
    RateLimitCountersPurger,
  ],
  exports: [ScopedThrottlerStorage, FailureLimiter],
})
class RateLimitStoreModule {}

/**
 * The per-user request limit counts per process (in memory): with several instances
 * behind a balancer each enforces its own share. Login, registration and refresh limits
 * count in PostgreSQL, across instances (README, "Operating several instances"). The
 * guard is registered globally by AppModule,
 * after the auth guard so that the per-user limit knows the user. Login, refresh and
 * bearer failures are limited by `FailureLimiter` (see AuthLimits), not by the throttler.
 */
@Module({
  imports: [
    RateLimitStoreModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStoreModule],
      inject: [APP_CONFIG, ScopedThrottlerStorage],
      useFactory: ({ rateLimit }: AppConfig, storage: ScopedThrottlerStorage) => ({
        storage,
        throttlers: [
          {
            name: 'default',
            ttl: MINUTE_MS,
            limit: rateLimit.perMinute,
            getTracker: (_req, ctx) => userOrIp(ctx),
            // Counted on every request, in memory: a plain key instead of the default SHA-256 of the same text.
            generateKey: (ctx, tracker, name) => `${name}:${ctx.getClass().name}.${ctx.getHandler().name}:${tracker}`,
          },
          {
            name: 'credentials-ip',
            ttl: MINUTE_MS,
            limit: rateLimit.authPerMinute,
            skipIf: (ctx) => !routeHasPolicy(ctx, 'credentials-ip'),
            getTracker: (_req, ctx) => clientIp(requestOf(ctx)),
          },
          {
            name: 'credentials-email',
            ttl: MINUTE_MS,
            limit: rateLimit.authPerMinute,
            skipIf: (ctx) => !routeHasPolicy(ctx, 'credentials-email'),
            getTracker: (_req, ctx) => bodyField(ctx, 'email', normalizeEmail),
          },
        ],
      }),
    }),
  ],
  exports: [ThrottlerModule, RateLimitStoreModule],
})
export class RateLimitModule {}
