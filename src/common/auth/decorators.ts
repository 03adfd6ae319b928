import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AuthenticatedUser } from './authenticated-user.js';

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
