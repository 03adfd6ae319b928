import { applyDecorators } from '@nestjs/common';
import { ApiHeader, type ApiResponseOptions } from '@nestjs/swagger';
import { ApiProblems } from './api-problems.decorator.js';

/** The `ETag` header of a response carrying one versioned resource. */
export const ETAG_HEADER: NonNullable<ApiResponseOptions['headers']> = {
  ETag: {
    description: 'The resource version, for `If-Match`',
    required: true,
    schema: { type: 'string', example: '"3"' },
  },
};

/** Documents `If-Match` (optimistic concurrency) on a PATCH or DELETE. */
export const ApiIfMatch = (): MethodDecorator =>
  applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      description:
        'The `ETag` you last read: when the resource has changed since, the request is refused with 412 and changes nothing.',
      schema: { type: 'string', example: '"3"' },
    }),
    ApiProblems(412),
  );
