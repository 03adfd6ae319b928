/**
 * The keyset position of a cursor's payload: a JSON array of `length` strings (the sort
 * values as PostgreSQL's text, then the id), or `null` when it is anything else.
 */
export function parseKeysetPosition(position: string, length: number): string[] | null {
  try {
    const values: unknown = JSON.parse(position);
    if (!Array.isArray(values) || values.length !== length) return null;
    return values.every((value): value is string => typeof value === 'string') ? values : null;
  } catch {
    return null;
  }
}
