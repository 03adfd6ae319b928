import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidateIf } from 'class-validator';

/** Trims strings; leaves other types for the validators to reject. */
export const Trim = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** Emails are compared case-insensitively everywhere: store and look them up lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const NormalizeEmail = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value) : value));

/**
 * The field may be left out, but not sent as null (class-validator's `@IsOptional()`
 * lets null through, which a non-nullable column then refuses with a 500).
 */
export const Optional = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);

/**
 * Length in Unicode code points, as PostgreSQL counts `varchar(n)` and `length()`.
 * class-validator's `@Length` counts UTF-16 units in a way that skips some marks, so a
 * value it accepts could still overflow the column.
 */
export const TextLength = (min: number, max: number): PropertyDecorator =>
  applyDecorators(
  // The Swagger plugin only reads class-validator's own length decorators: state the bounds here.
  ApiProperty(min > 0 ? { type: String, minLength: min, maxLength: max } : { type: String, maxLength: max }),
  ValidateBy({
    name: 'textLength',
    constraints: [min, max],
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string') return false;
        let count = 0;
        for (const _ of value) if (++count > max) return false;
        return count >= min;
      },
      defaultMessage: () =>
        min === 0 ? `must be at most ${max} characters` : `must be ${min} to ${max} characters long`,
    },
  }),
  );

/** Query strings carry text: `true`/`false` become booleans, anything else is left for `@IsBoolean()` to refuse. */
export const QueryBoolean = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value));

/** Upper-cases strings (keys are case-insensitive on input, canonical upper-case on output). */
export const UpperCase = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value));
