import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { IS_PUBLIC } from '../../../common/auth/decorators.js';
import { FailureLimiter } from '../../../common/rate-limit/failure-limiter.js';
import { clientIp } from '../../../common/rate-limit/rate-limit.js';
import { AuthLimits } from '../auth-limits.js';
import { AmbiguousAuthorization, InvalidAccessToken } from '../auth.errors.js';

/** Node keeps only the first of repeated `Authorization` headers: count them in the raw list. */
function authorizationHeaderCount(request: FastifyRequest): number {
  const raw = request.raw.rawHeaders;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.toLowerCase() === 'authorization') count++;
  return count;
}

/** Global guard: every route needs a bearer token unless it says `@Public()`. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: FailureLimiter,
    private readonly limits: AuthLimits,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // Two credentials are ambiguous (a proxy may read the other one): refused on every route.
    if (authorizationHeaderCount(request) > 1) throw new AmbiguousAuthorization();
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    // A client over its failure limit gets its 429 before any token check or query.
    const failures = this.limits.invalidTokens(clientIp(request));
    await this.limiter.assertUnder(failures);
    try {
      return (await super.canActivate(context)) === true;
    } catch (error) {
      if (error instanceof InvalidAccessToken) await this.limiter.record(failures);
      throw error;
    }
  }

  // Errors (a database outage) propagate as they are; a missing or rejected token is a 401.
  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrown verbatim: socket errors come from Node's realm, where `instanceof Error` fails
    if (error) throw error;
    if (!user) throw new InvalidAccessToken();
    return user;
  }
}
