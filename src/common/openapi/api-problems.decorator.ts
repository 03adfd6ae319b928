import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, DECORATORS, getSchemaPath, type ApiResponseOptions } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ProblemDetailsDto } from './problem-details.dto.js';

/** An `application/problem+json` answer with `status`, for the OpenAPI document. */
export function problemResponse(status: number, description = STATUS_CODES[status]): ApiResponseOptions {
  return {
    status,
    description,
    content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } },
  };
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
    applyDecorators(
      ApiExtraModels(ProblemDetailsDto),
      ...statuses
        .filter((status) => !documented.has(String(status)))
        .map((status) => ApiResponse(problemResponse(status))),
    )(target, key, descriptor);
  };
