import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-jwt';
import { validate as isUuid } from 'uuid';
import { AuthenticatedUser } from '../../../common/auth/authenticated-user.js';
import { InjectAppConfig, type AppConfig } from '../../../config/app-config.module.js';
import { SessionsService } from '../sessions.service.js';
import type { AccessTokenClaims } from '../token.service.js';

// Claims reach SQL as uuid parameters: a signed but malformed id must be a 401, not a 500.
function hasRequiredClaims(payload: Partial<AccessTokenClaims>): payload is AccessTokenClaims {
  return (
    typeof payload.sub === 'string' &&
    isUuid(payload.sub) &&
    typeof payload.sid === 'string' &&
    isUuid(payload.sid) &&
    typeof payload.iat === 'number' &&
    typeof payload.exp === 'number'
  );
}

/** `Bearer <compact JWT>` and nothing else (the scheme is case-insensitive, RFC 9110 §11.1). */
const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  return typeof header === 'string' ? (BEARER.exec(header)?.[1] ?? null) : null;
}

/**
 * Bearer access tokens: HS256 only (so `alg: none` and algorithm confusion fail), with
 * `iss`, `aud` and `exp` checked by the JWT library, and a live session required.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @InjectAppConfig() config: AppConfig,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: bearerToken,
      secretOrKey: config.auth.jwtSecret,
      algorithms: ['HS256'],
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      ignoreExpiration: false,
    });
  }

  async validate(payload: Partial<AccessTokenClaims>): Promise<AuthenticatedUser | false> {
    if (!hasRequiredClaims(payload)) return false;
    return (await this.sessions.isActive(payload.sid, payload.sub))
      ? new AuthenticatedUser(payload.sub, payload.sid)
      : false;
  }
}
