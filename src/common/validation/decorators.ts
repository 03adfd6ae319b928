import { Transform } from 'class-transformer';
import { ValidateIf } from 'class-validator';

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
