import { SetMetadata, type ExecutionContext } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { ApiTokenPrincipal, AuthenticatedUser } from '../auth/authenticated-user.js';

/** Named limits a route can opt into, on top of the per-user limit every route has. */
export type RateLimitPolicy = 'credentials-ip' | 'credentials-email';

const RATE_LIMIT_POLICIES = 'yello:rateLimitPolicies';

/** Opts a route into extra named rate limits (see `RateLimitModule`). */
export const RateLimit = (...policies: RateLimitPolicy[]): MethodDecorator =>
  SetMetadata(RATE_LIMIT_POLICIES, policies);

export function routeHasPolicy(context: ExecutionContext, policy: RateLimitPolicy): boolean {
  const policies: unknown = Reflect.getMetadata(RATE_LIMIT_POLICIES, context.getHandler());
  return Array.isArray(policies) && policies.includes(policy);
}

export function requestOf(context: ExecutionContext): FastifyRequest {
  return context.switchToHttp().getRequest<FastifyRequest>();
}

/** The client's address; an IPv6 client is its /64, which one host can fill with addresses. */
export function clientIp(request: FastifyRequest): string {
  return normalizeIp(request.ip);
}

/**
 * The authenticated user when there is one (the auth guard runs first), the API token for
 * a token's requests (each script its own budget), else the client IP.
 */
export function userOrIp(context: ExecutionContext): string {
  const request = requestOf(context);
  if (request.user instanceof ApiTokenPrincipal) return `token:${request.user.tokenId}`;
  return request.user instanceof AuthenticatedUser ? `user:${request.user.userId}` : `ip:${clientIp(request)}`;
}

/** A string field of the JSON body (already size-limited by the body parser), else the IP. */
export function bodyField(context: ExecutionContext, field: string, normalize: (value: string) => string = (v) => v) {
  const request = requestOf(context);
  const body: unknown = request.body;
  if (typeof body === 'object' && body !== null && field in body) {
    const value: unknown = Reflect.get(body, field);
    if (typeof value === 'string' && value.length > 0) return `${field}:${normalize(value)}`;
  }
  return `ip:${clientIp(request)}`;
}
