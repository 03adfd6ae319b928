/** The SQL text of a `pg` query call: a string, or a config object carrying `text`. */
export function textOf(query: unknown): string {
  if (typeof query === 'string') return query;
  return typeof query === 'object' && query !== null && 'text' in query && typeof query.text === 'string'
    ? query.text
    : '';
}

/** The statement name of a `pg` query call (a named statement is parsed and planned once per connection). */
export function nameOf(query: unknown): string | undefined {
  return typeof query === 'object' && query !== null && 'name' in query && typeof query.name === 'string'
    ? query.name
    : undefined;
}
