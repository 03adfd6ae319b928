import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHash, randomBytes } from 'node:crypto';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
}

export interface IssuedRefreshToken {
  token: string;
  hash: string;
  expiresAt: Date;
}

/** Mints access tokens (HS256 JWTs) and opaque refresh tokens. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  get accessTokenTtlSeconds(): number {
    return this.config.auth.accessTokenTtlSeconds;
  }

  signAccessToken(userId: string, sessionId: string): Promise<string> {
    return this.jwt.signAsync({ sid: sessionId }, { subject: userId });
  }

  /**
   * `<sessionId>.<256 random bits>`: the session id lets rate limiting key on the session
   * without a lookup; only the SHA-256 of the whole token is stored.
   */
  newRefreshToken(sessionId: string, now = new Date()): IssuedRefreshToken {
    const token = `${sessionId}.${randomBytes(32).toString('base64url')}`;
    return {
      token,
      hash: hashRefreshToken(token),
      expiresAt: new Date(now.getTime() + this.config.auth.refreshTokenTtlSeconds * 1000),
    };
  }
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
