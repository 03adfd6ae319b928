import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiExtension, DECORATORS } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiTokenPrincipal, AuthenticatedUser } from './authenticated-user.js';

export const IS_PUBLIC = 'yello:isPublic';

/**
 * Opts a route out of the global bearer-token guard, and out of the document-wide
 * bearer requirement of the OpenAPI document (`[{}]`: no credentials needed; an empty
 * list would be dropped by the Swagger explorer).
 */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), SetMetadata(DECORATORS.API_SECURITY, [{}]));

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by Passport once a strategy has authenticated the request. */
    user?: unknown;
  }
}

/** The caller of a bearer-authenticated route. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<FastifyRequest>().user;
  // Only reachable when a route was made public yet asks for its caller: a programming error.
  if (!(user instanceof AuthenticatedUser))
    throw new Error('CurrentUser used on a route without an authenticated user');
  return user;
});

export const CREDENTIAL = 'yello:credential';
/** Which credential a route takes when it departs from the rule (see `JwtAuthGuard`). */
export type CredentialRule = 'session' | 'api-token';
/**
 * OpenAPI extension: the scope an API token needs for the operation (`read`, `write`,
 * `admin`), `any` for routes only tokens call, `none` where tokens are refused; absent on
 * account routes, which refuse tokens too.
 */
export const TOKEN_SCOPE_EXTENSION = 'x-token-scope';
/** The OpenAPI security scheme of API tokens (access tokens are `bearer`). */
export const API_TOKEN_SECURITY = 'apiToken';

/** A route under a tenant that API tokens may not call (managing tokens): `403` to a token. */
export const SessionOnly = (): MethodDecorator =>
  applyDecorators(
    SetMetadata(CREDENTIAL, 'session' satisfies CredentialRule),
    ApiExtension(TOKEN_SCOPE_EXTENSION, 'none'),
  );

/** A route only an API token may call: `403` to an access token. */
export const ApiTokenOnly = (): MethodDecorator =>
  applyDecorators(
    SetMetadata(CREDENTIAL, 'api-token' satisfies CredentialRule),
    ApiExtension(TOKEN_SCOPE_EXTENSION, 'any'),
    SetMetadata(DECORATORS.API_SECURITY, [{ [API_TOKEN_SECURITY]: [] }]),
  );

/** The API token making the request (routes with `@ApiTokenOnly()`). */
export const CurrentApiToken = createParamDecorator((_data: unknown, context: ExecutionContext): ApiTokenPrincipal => {
  const user = context.switchToHttp().getRequest<FastifyRequest>().user;
  if (!(user instanceof ApiTokenPrincipal)) throw new Error('CurrentApiToken used on a route without @ApiTokenOnly');
  return user;
});
