import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { PassportStrategy } from '@nestjs/passport';
import type { IncomingHttpHeaders } from 'node:http';
import { Strategy } from 'passport';
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

export function bearerToken(request: { headers: IncomingHttpHeaders }): string | null {
  const header = request.headers.authorization;
  return typeof header === 'string' ? (BEARER.exec(header)?.[1] ?? null) : null;
}

type Verified = (error: unknown, user?: AuthenticatedUser | false) => void;

/**
 * A Passport strategy for bearer access tokens, as passport-jwt's but verifying with the
 * app's `JwtService`, whose key is a `KeyObject` built once: passport-jwt hands
 * jsonwebtoken the secret as a string, which then tries (and fails) to parse it as a public
 * key and builds a secret key, on every request.
 */
class BearerTokenStrategy extends Strategy {
  override name = 'jwt';

  constructor(
    readonly verifyToken: (token: string) => Partial<AccessTokenClaims>,
    readonly verified: (payload: Partial<AccessTokenClaims>, done: Verified) => void,
  ) {
    super();
  }

  override authenticate(request: { headers: IncomingHttpHeaders }): void {
    const token = bearerToken(request);
    if (token === null) {
      this.fail(401);
      return;
    }
    let payload: Partial<AccessTokenClaims>;
    try {
      payload = this.verifyToken(token);
    } catch {
      this.fail(401);
      return; // bad signature, algorithm, issuer, audience or expiry
    }
    this.verified(payload, (error, user) => {
      if (error) this.error(error);
      else if (!user) this.fail(401);
      else this.success(user);
    });
  }
}

/**
 * Bearer access tokens: HS256 only (so `alg: none` and algorithm confusion fail), with
 * `iss`, `aud` and `exp` checked by the JWT library, and a live session required.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(BearerTokenStrategy, 'jwt') {
  constructor(
    @InjectAppConfig() config: AppConfig,
    jwt: JwtService,
    private readonly sessions: SessionsService,
  ) {
    const options = { algorithms: ['HS256' as const], issuer: config.auth.issuer, audience: config.auth.audience };
    super((token: string) => jwt.verify<Partial<AccessTokenClaims>>(token, options));
  }

  async validate(payload: Partial<AccessTokenClaims>): Promise<AuthenticatedUser | false> {
    if (!hasRequiredClaims(payload)) return false;
    return (await this.sessions.isActive(payload.sid, payload.sub))
      ? new AuthenticatedUser(payload.sub, payload.sid)
      : false;
  }
}
