import { Param, ParseUUIDPipe } from '@nestjs/common';
import { RequestValidationError } from './domain-error.js';

/** A path parameter that must be a UUID: anything else is a 400 naming it. */
export const UuidParam = (name: string): ParameterDecorator =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () => new RequestValidationError([{ path: name, message: 'must be a UUID' }]),
    }),
  );
