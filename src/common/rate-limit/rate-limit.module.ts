import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.module.js';
import { normalizeEmail } from '../validation/decorators.js';
import { FailureLimiter } from './failure-limiter.js';
import { bodyField, clientIp, requestOf, routeHasPolicy, userOrIp } from './rate-limit.js';
import { MemoryRateLimitStore, RateLimitStore } from './rate-limit.store.js';

const MINUTE_MS = 60_000;

/** The counters' storage, shared by Nest's throttler and the failure limits. */
@Module({
  providers: [{ provide: RateLimitStore, useClass: MemoryRateLimitStore }, FailureLimiter],
  exports: [RateLimitStore, FailureLimiter],
})
class RateLimitStoreModule {}

/**
 * Limits are per process (in-memory storage): with several API instances behind a
 * balancer each enforces its own share. The guard is registered globally by AppModule,
 * after the auth guard so that the per-user limit knows the user. Login, refresh and
 * bearer failures are limited by `FailureLimiter` (see AuthLimits), not by the throttler.
 */
@Module({
  imports: [
    RateLimitStoreModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStoreModule],
      inject: [APP_CONFIG, RateLimitStore],
      useFactory: ({ rateLimit }: AppConfig, storage: RateLimitStore) => ({
        storage,
        throttlers: [
          { name: 'default', ttl: MINUTE_MS, limit: rateLimit.perMinute, getTracker: (_req, ctx) => userOrIp(ctx) },
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
