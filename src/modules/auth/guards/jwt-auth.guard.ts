import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { API_TOKEN_STRATEGY } from '../../../common/auth/api-token-scopes.js';
import { ApiTokenPrincipal } from '../../../common/auth/authenticated-user.js';
import { ApiTokenNotAllowed, ApiTokenRequired } from '../../../common/auth/credential.errors.js';
import { CREDENTIAL, IS_PUBLIC, type CredentialRule } from '../../../common/auth/decorators.js';
import { API_PREFIX } from '../../../common/http/resource-headers.js';
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

/** Routes an API token may call unless they say otherwise: those of a tenant. */
const TENANT_ROUTE_PREFIX = `/${API_PREFIX}/tenants/:tenantId`;

/**
 * Global guard: every route needs a bearer credential unless it says `@Public()`: an
 * access token (the `jwt` strategy) or an API token (the `api-token` strategy, for `yel_`
 * values; each strategy ignores the other's format). An API token may call the routes
 * under `/tenants/{tenantId}` (`MembershipGuard` keeps it to its tenant and scopes) and
 * those marked `@ApiTokenOnly()`, never account routes nor `@SessionOnly()` ones (403).
 */
@Injectable()
// The API-token strategy goes first: it passes on anything but a `yel_` token at the cost of
// a regular expression, where passport-jwt refusing a `yel_` token builds an Error.
export class JwtAuthGuard extends AuthGuard([API_TOKEN_STRATEGY, 'jwt']) {
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
    let authenticated: boolean;
    try {
      authenticated = (await super.canActivate(context)) === true;
    } catch (error) {
      if (error instanceof InvalidAccessToken) await this.limiter.record(failures);
      throw error;
    }
    this.assertCredentialFits(context, request);
    return authenticated;
  }

  private assertCredentialFits(context: ExecutionContext, request: FastifyRequest): void {
    const rule = this.reflector.getAllAndOverride<CredentialRule | undefined>(CREDENTIAL, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (request.user instanceof ApiTokenPrincipal) {
      const tenantRoute = request.routeOptions.url?.startsWith(TENANT_ROUTE_PREFIX) ?? false;
      if (rule === undefined ? !tenantRoute : rule !== 'api-token') throw new ApiTokenNotAllowed();
    } else if (rule === 'api-token') throw new ApiTokenRequired();
  }

  // Errors (a database outage) propagate as they are; a missing or rejected token is a 401.
  override handleRequest<TUser>(error: unknown, user: TUser | false, _info: unknown, context: ExecutionContext): TUser {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrown verbatim: socket errors come from Node's realm, where `instanceof Error` fails
    if (error) throw error;
    if (!user) {
      // A credential was sent and refused (RFC 6750 `invalid_token`), or none was sent.
      const sent = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization !== undefined;
      throw new InvalidAccessToken(sent);
    }
    return user;
  }
}
