import { Injectable } from '@nestjs/common';
import type { FailureLimit } from '../../common/rate-limit/failure-limiter.js';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';

const MINUTE_MS = 60_000;

/**
 * The failure limits of sign-in and tokens (README, "Rate limits", says why each exists).
 * Those guarding an account or a session count across instances; the invalid-token limit,
 * checked on every authenticated request, guards each instance's own database budget.
 */
@Injectable()
export class AuthLimits {
  constructor(@InjectAppConfig() private readonly config: AppConfig) {}

  /**
   * Failed logins: per (email, client) stops one client guessing one password; per client
   * stops it guessing across emails; per email, above what any one client may reach,
   * slows spraying from many clients without letting a single one lock the owner out.
   */
  login(email: string, client: string): FailureLimit[] {
    const { authPerMinute, loginIpPerMinute, loginEmailPerMinute } = this.config.rateLimit;
    return [
      { key: `login:email+ip:${email}\n${client}`, limit: authPerMinute, windowMs: MINUTE_MS, scope: 'cluster' },
      { key: `login:ip:${client}`, limit: loginIpPerMinute, windowMs: MINUTE_MS, scope: 'cluster' },
      { key: `login:email:${email}`, limit: loginEmailPerMinute, windowMs: MINUTE_MS, scope: 'cluster' },
    ];
  }

  /** Access or refresh tokens that do not verify, per client: each may have cost a query. */
  invalidTokens(client: string): FailureLimit {
    const limit = this.config.rateLimit.invalidTokensPerMinute;
    return { key: `token:ip:${client}`, limit, windowMs: MINUTE_MS, scope: 'instance' };
  }

  /** Refreshes of one session, keyed on the session the refresh token proved. */
  refresh(sessionId: string): FailureLimit {
    const limit = this.config.rateLimit.refreshPerMinute;
    return { key: `refresh:session:${sessionId}`, limit, windowMs: MINUTE_MS, scope: 'cluster' };
  }
}
