import { Transform } from 'class-transformer';

/** Trims strings; leaves other types for the validators to reject. */
export const Trim = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** Emails are compared case-insensitively everywhere: store and look them up lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const NormalizeEmail = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value) : value));
