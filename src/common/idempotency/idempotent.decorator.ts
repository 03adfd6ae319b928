import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiProblems } from '../openapi/api-problems.decorator.js';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  IdempotencyInterceptor,
} from './idempotency.interceptor.js';

export { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER };

/**
 * Makes an authenticated create route accept an `Idempotency-Key` (`IdempotencyInterceptor`):
 * a retry with the same key and body replays the first response instead of creating again.
 * Route-scoped, so every other route skips Nest's interceptor pipeline altogether.
 */
export const Idempotent = (): MethodDecorator =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description:
        'Makes the create safe to retry: the same key with the same body within 24 hours replays the first ' +
        `response (with \`${IDEMPOTENT_REPLAYED_HEADER}: true\`) and creates nothing; the same key with another ` +
        'body is a 422, and while the first request is still running a 409.',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
    }),
    ApiProblems(400, 409, 422),
  );
