import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.module.js';
import { normalizeEmail } from '../validation/decorators.js';
import { bodyField, requestOf, routeHasPolicy, userOrIp } from './rate-limit.js';

const MINUTE_MS = 60_000;

/**
 * Limits are per process (in-memory storage): with several API instances behind a
 * balancer each enforces its own share. The guard is registered globally by AppModule,
 * after the auth guard so that the per-user limit knows the user.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: ({ rateLimit }: AppConfig) => ({
        throttlers: [
          { name: 'default', ttl: MINUTE_MS, limit: rateLimit.perMinute, getTracker: (_req, ctx) => userOrIp(ctx) },
          {
            name: 'credentials-ip',
            ttl: MINUTE_MS,
            limit: rateLimit.authPerMinute,
            skipIf: (ctx) => !routeHasPolicy(ctx, 'credentials-ip'),
            getTracker: (_req, ctx) => requestOf(ctx).ip,
          },
          {
            name: 'credentials-email',
            ttl: MINUTE_MS,
            limit: rateLimit.authPerMinute,
            skipIf: (ctx) => !routeHasPolicy(ctx, 'credentials-email'),
            getTracker: (_req, ctx) => bodyField(ctx, 'email', normalizeEmail),
          },
          {
            name: 'refresh-session',
            ttl: MINUTE_MS,
            limit: rateLimit.refreshPerMinute,
            skipIf: (ctx) => !routeHasPolicy(ctx, 'refresh-session'),
            // `<sessionId>.<secret>`: the session part keys the limit without a lookup.
            getTracker: (_req, ctx) => bodyField(ctx, 'refreshToken', (token) => token.split('.', 1)[0] ?? ''),
          },
        ],
      }),
    }),
  ],
  exports: [ThrottlerModule],
})
export class RateLimitModule {}
