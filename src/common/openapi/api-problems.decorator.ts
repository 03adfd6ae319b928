import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiResponse,
  DECORATORS,
  getSchemaPath,
  type ApiResponseOptions,
  type ResponseObject,
} from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import type { ProblemDetails } from '../http/problem-details.filter.js';
import { ProblemDetailsDto } from './problem-details.dto.js';

const EXAMPLE_REQUEST_ID = '6f1c2a9e-3b7d-4e8a-9c0f-5d2b7a1e4c3f';

/** `about:blank`: a problem the status says all of (raised by the HTTP layer, not a service). */
const plain = (status: number, detail: string): ProblemDetails => ({
  type: 'about:blank',
  title: STATUS_CODES[status] ?? 'Error',
  status,
  detail,
  requestId: EXAMPLE_REQUEST_ID,
});

const typed = (status: number, code: string, title: string, detail: string): ProblemDetails => ({
  type: `urn:yello:problem:${code}`,
  title,
  status,
  detail,
  requestId: EXAMPLE_REQUEST_ID,
});

/**
 * One typical answer per status, as the exception filter writes it; the `type` URI tells
 * the problems of one status apart. `test/http/openapi.spec.ts` checks these against
 * real answers.
 */
export const PROBLEM_EXAMPLES: Readonly<Record<number, ProblemDetails>> = {
  400: {
    ...typed(400, 'validation-failed', 'Request validation failed', 'Invalid field: email'),
    errors: [{ path: 'email', message: 'must be an email address' }],
  },
  401: typed(401, 'invalid-token', 'Authentication required', 'A valid bearer access token is required'),
  403: typed(
    403,
    'insufficient-role',
    'Role too low',
    'This action needs the admin role or a stronger one in this tenant',
  ),
  404: typed(404, 'tenant-not-found', 'Tenant not found', 'No such tenant'),
  409: typed(409, 'already-member', 'Already a member', 'This person is already a member of the tenant'),
  410: typed(
    410,
    'event-cursor-expired',
    'Events expired',
    'Events after 1041 are past the 30-day retention; read from 2310',
  ),
  412: typed(
    412,
    'version-mismatch',
    'Resource changed',
    'If-Match does not match the current version ("3"): read the resource again and retry',
  ),
  413: plain(413, 'Request body is too large'),
  414: plain(414, 'A path segment is longer than any valid one'),
  415: plain(415, 'Unsupported Media Type'),
  422: typed(
    422,
    'idempotency-key-reused',
    'Idempotency key reused',
    'This Idempotency-Key was used for a different request (method, path or body); send a new key with a new request',
  ),
  429: typed(429, 'rate-limited', 'Too many requests', 'Rate limit exceeded; retry in 30 seconds'),
  431: plain(431, 'The request headers are larger than 16 KiB'),
  503: plain(503, 'The database is unavailable; try again shortly'),
};

/** An `application/problem+json` answer with `status`, as a response of the OpenAPI document. */
export function problemResponseObject(status: number, description = STATUS_CODES[status] ?? 'Error'): ResponseObject {
  const example = PROBLEM_EXAMPLES[status];
  return {
    description,
    content: {
      'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) }, ...(example && { example }) },
    },
  };
}

/** An `application/problem+json` answer with `status`, for the OpenAPI document. */
export function problemResponse(status: number, description = STATUS_CODES[status]): ApiResponseOptions {
  return { status, ...problemResponseObject(status, description) };
}

/** The statuses already documented on a route (or controller). */
function documentedStatuses<T>(target: object, descriptor?: TypedPropertyDescriptor<T>): Set<string> {
  const owner = typeof descriptor?.value === 'function' ? descriptor.value : target;
  const responses: unknown = Reflect.getMetadata(DECORATORS.API_RESPONSE, owner);
  return new Set(typeof responses === 'object' && responses !== null ? Object.keys(responses) : []);
}

/**
 * Documents the problem+json error answers of a route (or of every route of a
 * controller). Decorators that bring their own (`@MinimumRole`, `@Idempotent`) may name
 * a status the route names too: it is documented once (Swagger would repeat its text).
 */
export const ApiProblems =
  (...statuses: number[]): MethodDecorator & ClassDecorator =>
  <T>(target: object, key?: string | symbol, descriptor?: TypedPropertyDescriptor<T>): void => {
    const documented = documentedStatuses(target, descriptor);
    const decorate = applyDecorators(
      ApiExtraModels(ProblemDetailsDto),
      ...statuses
        .filter((status) => !documented.has(String(status)))
        .map((status) => ApiResponse(problemResponse(status))),
    );
    // A method (key and descriptor) or a class (neither): the two shapes Nest 12.6 types apart.
    if (key !== undefined && descriptor !== undefined) decorate(target, key, descriptor);
    else decorate(target);
  };
