import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { createSecretKey, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Strategy, type SecretOrKeyProvider } from 'passport-jwt';
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

/**
 * The token of a strict `Authorization: Bearer <jwt>` header, else null (a 401). Stricter than
 * passport-jwt's `ExtractJwt.fromAuthHeaderAsBearerToken()`, which also takes any whitespace
 * around and between the parts, and any characters in the token.
 */
export function bearerToken(request: { headers: IncomingHttpHeaders }): string | null {
  const header = request.headers.authorization;
  return typeof header === 'string' ? (BEARER.exec(header)?.[1] ?? null) : null;
}

/**
 * Hands passport-jwt the same `KeyObject` for every token. passport-jwt passes it unchanged
 * to jsonwebtoken 9's `verify()`, which uses a `KeyObject` as it is; given a string or a
 * Buffer (`secretOrKey`), it would first try to parse it as a public key, then build a secret
 * key, on every request. @types/passport-jwt 4.0.1 types the provided key as
 * `string | Buffer` only, hence `Reflect.apply` (the value is what jsonwebtoken declares it
 * takes: its `Secret` type includes `KeyObject`).
 */
function prebuiltKey(key: KeyObject): SecretOrKeyProvider<unknown> {
  return (_request, _token, done) => {
    Reflect.apply(done, undefined, [null, key]);
  };
}

/**
 * Bearer access tokens through passport-jwt: HS256 only (so `alg: none` and algorithm
 * confusion fail), with `iss`, `aud` and `exp` checked by jsonwebtoken, the claims the app
 * relies on checked here, and a live session required. Any refusal is a `fail`, which the
 * guard answers with a 401 (and counts against the invalid-token limit); an error of the
 * session lookup (a database outage) propagates as it is.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @InjectAppConfig() config: AppConfig,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: bearerToken,
      secretOrKeyProvider: prebuiltKey(createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8'))),
      algorithms: ['HS256'],
      issuer: config.auth.issuer,
      audience: config.auth.audience,
    });
  }

  async validate(payload: Partial<AccessTokenClaims>): Promise<AuthenticatedUser | false> {
    if (!hasRequiredClaims(payload)) return false;
    return (await this.sessions.isActive(payload.sid, payload.sub))
      ? new AuthenticatedUser(payload.sub, payload.sid)
      : false;
  }
}
