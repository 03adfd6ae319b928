import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { RateLimited } from '../http/domain-error.js';

/**
 * Nest's throttler, speaking our dialect: `RateLimit-*` headers (IETF draft) instead
 * of `X-RateLimit-*`, and a domain error so the 429 is problem+json with `Retry-After`.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    this.headerPrefix = 'RateLimit';
  }

  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new RateLimited(Math.max(1, detail.timeToBlockExpire));
  }
}
