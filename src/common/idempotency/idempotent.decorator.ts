import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiProblems } from '../openapi/api-problems.decorator.js';

export const IDEMPOTENT = 'yello:idempotent';
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/**
 * Marks an authenticated create route as accepting an `Idempotency-Key` (enforced by
 * `IdempotencyInterceptor`): a retry with the same key and body replays the first
 * response instead of creating again.
 */
export const Idempotent = (): MethodDecorator =>
  applyDecorators(
    SetMetadata(IDEMPOTENT, true),
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
