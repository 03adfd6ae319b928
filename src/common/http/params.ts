import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { RequestValidationError } from './domain-error.js';

/** `projectId` → "Project id (a UUID)". */
const describeId = (name: string): string => {
  const noun = name.replace(/Id$/, '');
  return `${noun.charAt(0).toUpperCase()}${noun.slice(1)} id (a UUID)`;
};

/**
 * A path parameter that must be a UUID: anything else is a 400 naming it. Documented as
 * such, so the OpenAPI document is as strict as the route.
 */
export const UuidParam =
  (name: string): ParameterDecorator =>
  (target, key, index) => {
    Param(
      name,
      new ParseUUIDPipe({
        exceptionFactory: () => new RequestValidationError([{ path: name, message: 'must be a UUID' }]),
      }),
    )(target, key, index);
    const descriptor = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
    if (key !== undefined && descriptor) {
      ApiParam({ name, type: String, format: 'uuid', description: describeId(name) })(target, key, descriptor);
    }
  };
