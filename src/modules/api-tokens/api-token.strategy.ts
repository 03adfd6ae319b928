import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { IncomingHttpHeaders } from 'node:http';
import passport from 'passport';
import { API_TOKEN_STRATEGY } from '../../common/auth/api-token-scopes.js';
import type { ApiTokenPrincipal } from '../../common/auth/authenticated-user.js';
import { ApiTokensService } from './api-tokens.service.js';

/** `Bearer yel_…` with a token of the right shape (the checksum is checked later), else null. */
const BEARER_API_TOKEN = /^Bearer (yel_[0-9A-Za-z]{40}_[0-9A-Za-z]{6})$/i;

interface BearerRequest {
  headers: IncomingHttpHeaders;
  ip?: string;
}

type Verify = (
  token: string,
  ip: string,
  done: (error: unknown, principal?: ApiTokenPrincipal | false) => void,
) => void;

/**
 * The Passport strategy of API tokens: any other `Authorization` value is a `fail`, so the
 * global guard's next strategy (or its 401) has its turn. passport-http-bearer would do
 * the same with a looser header syntax and one more dependency.
 */
class BearerApiTokenStrategy extends passport.Strategy {
  constructor(private readonly verify: Verify) {
    super();
  }

  override authenticate(request: BearerRequest): void {
    const header = request.headers.authorization;
    const token = typeof header === 'string' ? BEARER_API_TOKEN.exec(header)?.[1] : undefined;
    if (token === undefined) {
      this.fail();
      return;
    }
    this.verify(token, request.ip ?? '', (error, principal) => {
      if (error) this.error(error);
      else if (principal) this.success(principal);
      else this.fail();
    });
  }
}

/** Authenticates `yel_` tokens for the global guard (see `JwtAuthGuard`). */
@Injectable()
export class ApiTokenStrategy extends PassportStrategy(BearerApiTokenStrategy, API_TOKEN_STRATEGY) {
  constructor(private readonly tokens: ApiTokensService) {
    super();
  }

  async validate(token: string, ip: string): Promise<ApiTokenPrincipal | false> {
    return (await this.tokens.authenticate(token, ip)) ?? false;
  }
}
