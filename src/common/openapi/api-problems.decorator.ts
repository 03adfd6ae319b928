import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath, type ApiResponseOptions } from '@nestjs/swagger';
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

/** Documents the problem+json error answers of a route (or of every route of a controller). */
export const ApiProblems = (...statuses: number[]): MethodDecorator & ClassDecorator =>
  applyDecorators(ApiExtraModels(ProblemDetailsDto), ...statuses.map((status) => ApiResponse(problemResponse(status))));
