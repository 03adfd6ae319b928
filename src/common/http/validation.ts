import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { RequestValidationError, type FieldProblem } from './domain-error.js';

function flatten(errors: ValidationError[], parentPath = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const path = parentPath ? `${parentPath}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      path,
      message:
        constraint === 'whitelistValidation'
          ? 'is not an accepted field'
          : // class-validator starts its messages with the property name; `path` already says it.
            message.replace(new RegExp(`^${error.property} `), ''),
    }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/**
 * The one validation pipe of the API: unknown fields are rejected (named), payloads are
 * turned into DTO instances, and failures become a `RequestValidationError`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(flatten(errors)),
  });
}
