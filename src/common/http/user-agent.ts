import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The caller's `User-Agent` (recorded with a session), read from the request. Not
 * `@Headers('user-agent')`: that would make it a declared API parameter, which Swagger UI
 * and generated clients then insist on, although every HTTP client sends it on its own.
 */
export const UserAgent = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined =>
    context.switchToHttp().getRequest<FastifyRequest>().headers['user-agent'],
);
