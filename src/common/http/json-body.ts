import type { FastifyInstance } from 'fastify';
import { domainError } from './domain-error.js';

/** No request body of this API nests deeper. */
export const MAX_JSON_DEPTH = 32;
/**
 * No request body of this API comes close to this many properties and array items in
 * total; transforming and validating a body costs more than linear time in their number.
 */
export const MAX_JSON_NODES = 1000;

export class UnacceptableJson extends domainError('invalid', 'unacceptable-json', 'Unacceptable JSON body') {}

const code = (char: string): number => char.charCodeAt(0);
const [QUOTE, BACKSLASH, COMMA, SPACE] = [code('"'), code('\\'), code(','), code(' ')];
const [OPEN_OBJECT, OPEN_ARRAY, CLOSE_OBJECT, CLOSE_ARRAY] = [code('{'), code('['), code('}'), code(']')];

/** Index of the quote that closes the string opened at `quote` (past the end if none). */
function endOfString(text: string, quote: number): number {
  for (let index = text.indexOf('"', quote + 1); index !== -1; index = text.indexOf('"', index + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(index - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return index;
  }
  return text.length;
}

/**
 * Why the JSON text is too deep or too large to parse, or null. Read before `JSON.parse`,
 * whose own cost on a 1 MiB body of deep nesting or 90 000 keys is already too high: one
 * linear pass that stops at the first excess. A container's first value and every comma
 * after it add a node. Malformed text is left for `JSON.parse` to refuse.
 */
function findExcess(text: string): string | null {
  let depth = 0;
  let nodes = 0;
  let justOpened = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char <= SPACE) continue; // whitespace (other control characters are JSON.parse's to refuse)
    const closes = char === CLOSE_OBJECT || char === CLOSE_ARRAY;
    if ((justOpened && !closes) || char === COMMA) nodes++;
    justOpened = char === OPEN_OBJECT || char === OPEN_ARRAY;
    if (char === QUOTE) index = endOfString(text, index);
    else if (justOpened) depth++;
    else if (closes) depth--;
    if (depth > MAX_JSON_DEPTH) return `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels`;
    if (nodes > MAX_JSON_NODES) return `The JSON body has more than ${MAX_JSON_NODES} properties and array items`;
  }
  return null;
}

/** Why a parsed `value` cannot be accepted, or null: PostgreSQL text holds neither NUL nor lone surrogates. */
export function findUnacceptable(value: unknown): string | null {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return 'Strings must not contain NUL (\\u0000) characters';
      // Lone surrogates: PostgreSQL cannot store them, and validators choke on them.
      if (!node.isWellFormed()) return 'Strings must be well-formed Unicode (no lone surrogates)';
    }
    if (typeof node === 'object' && node !== null) {
      const values: unknown[] = Object.values(node);
      pending.push(...Object.keys(node), ...values);
    }
  }
  return null;
}

/**
 * JSON is the only accepted body: Fastify's own parser (prototype-poisoning safe) behind
 * `findExcess`, then the checks of `findUnacceptable`; every other content type
 * (text/plain included) is a 415. All of it runs before authentication and validation.
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    const excess = findExcess(text);
    if (excess) {
      done(new UnacceptableJson(excess));
      return;
    }
    // Fastify's default JSON parser is callback-style; its type also admits the promise form.
    void parseJson(request, text, (error, value) => {
      if (error) {
        done(error);
        return;
      }
      const problem = findUnacceptable(value);
      done(problem ? new UnacceptableJson(problem) : null, value);
    });
  });
}
