import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AuthenticatedUser } from '../../../common/auth/authenticated-user.js';
import { InjectAppConfig, type AppConfig } from '../../../config/app-config.module.js';
import { SessionsService } from '../sessions.service.js';
import type { AccessTokenClaims } from '../token.service.js';

function hasRequiredClaims(payload: Partial<AccessTokenClaims>): payload is AccessTokenClaims {
  return (
    typeof payload.sub === 'string' &&
    typeof payload.sid === 'string' &&
    typeof payload.iat === 'number' &&
    typeof payload.exp === 'number'
  );
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
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.auth.jwtSecret,
      algorithms: ['HS256'],
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      ignoreExpiration: false,
    });
  }

  async validate(payload: Partial<AccessTokenClaims>): Promise<AuthenticatedUser | false> {
    if (!hasRequiredClaims(payload)) return false;
    return (await this.sessions.isActive(payload.sid, payload.sub)) ? new AuthenticatedUser(payload.sub, payload.sid) : false;
  }
}
