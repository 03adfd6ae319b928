import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidateIf } from 'class-validator';
import { domainToASCII } from 'node:url';

/** Trims strings; leaves other types for the validators to reject. */
export const Trim = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/**
 * Characters that render as nothing or steer rendering (zero-width, soft hyphen, bidi
 * controls, variation selectors, controls, unassigned): two emails differing only by
 * them would look the same.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Cn}]/u;

export function hasInvisibleCharacters(value: string): boolean {
  return INVISIBLE.test(value);
}

/**
 * The one form of an email, stored and looked up: NFKC (`ﬀ` is `ff`), trimmed,
 * lower-cased, the domain in ASCII (punycode), so a look-alike domain reads `xn--…`.
 * A value with invisible characters is left for `NormalizeEmail`'s check to refuse
 * (IDNA would silently drop some of them).
 */
export function normalizeEmail(email: string): string {
  const normalized = email.normalize('NFKC').trim().toLowerCase();
  if (hasInvisibleCharacters(normalized)) return normalized;
  const at = normalized.lastIndexOf('@');
  const ascii = at < 0 ? '' : domainToASCII(normalized.slice(at + 1));
  return ascii ? `${normalized.slice(0, at)}@${ascii}` : normalized;
}

/** Normalises an email field (see `normalizeEmail`) and refuses invisible characters. */
export const NormalizeEmail = (): PropertyDecorator =>
  applyDecorators(
    ValidateBy({
      name: 'visibleEmail',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !hasInvisibleCharacters(value),
        defaultMessage: () => 'must not contain invisible or control characters',
      },
    }),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value) : value)),
  );

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

/** Comma lists in a query (`status=todo,done`), also given as repeated parameters. */
export const CommaList = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => {
    const parts = (Array.isArray(value) ? value : [value]).flatMap((part: unknown) =>
      typeof part === 'string' ? part.split(',') : [part],
    );
    return parts.map((part) => (typeof part === 'string' ? part.trim() : part));
  });

/** Query strings carry text: `true`/`false` become booleans, anything else is left for `@IsBoolean()` to refuse. */
export const QueryBoolean = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value));

/** Upper-cases strings (keys are case-insensitive on input, canonical upper-case on output). */
export const UpperCase = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    // ASCII letters only: Unicode upper-casing turns `ß` into `SS` and `ı` into `I`, so
    // `Aß` would pass a key pattern as `ASS` instead of failing it.
    typeof value === 'string' ? value.trim().replace(/[a-z]/g, (letter) => letter.toUpperCase()) : value,
  );
