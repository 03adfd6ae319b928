import { randomBytes } from 'node:crypto';

const SLUG_MAX_LENGTH = 40;
const SLUG_MIN_LENGTH = 3;

/** `Café Zürich & Co.` → `cafe-zurich-co`: lower-case ASCII words joined by dashes. */
export function slugFromName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/^-+|-+$/g, '');
  return slug.length >= SLUG_MIN_LENGTH ? slug : withSuffix(slug || 'tenant');
}

/** `slug` plus a short random suffix, still within the maximum length. */
export function withSuffix(slug: string): string {
  const suffix = randomBytes(3).toString('hex');
  return `${slug.slice(0, SLUG_MAX_LENGTH - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
}
