import type { FastifyInstance } from 'fastify';
import { domainError } from './domain-error.js';

/** No request body of this API nests deeper. */
export const MAX_JSON_DEPTH = 32;

export class UnacceptableJson extends domainError('invalid', 'unacceptable-json', 'Unacceptable JSON body') {}

/**
 * Why `value` cannot be accepted, or null: nesting beyond `MAX_JSON_DEPTH` only exists
 * to exhaust the stack, and PostgreSQL text holds neither NUL nor lone surrogates.
 */
function findUnacceptable(value: unknown): string | null {
  const pending: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 1 }];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const { node, depth } = item;
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return 'Strings must not contain NUL (\\u0000) characters';
      // Lone surrogates: PostgreSQL cannot store them, and validators choke on them.
      if (!node.isWellFormed()) return 'Strings must be well-formed Unicode (no lone surrogates)';
    }
    if (typeof node !== 'object' || node === null) continue;
    if (depth > MAX_JSON_DEPTH) return `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels`;
    for (const [key, child] of Object.entries(node)) pending.push({ node: key, depth }, { node: child, depth: depth + 1 });
  }
  return null;
}

/**
 * JSON is the only accepted body: Fastify's own parser (prototype-poisoning safe) plus
 * the checks of `findUnacceptable`; every other content type (text/plain included) is a 415.
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parseJson(request, typeof body === 'string' ? body : body.toString('utf8'), (error, value) => {
      if (error) return done(error);
      const problem = findUnacceptable(value);
      done(problem ? new UnacceptableJson(problem) : null, value);
    });
  });
}
