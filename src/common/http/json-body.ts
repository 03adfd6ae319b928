import type { FastifyInstance } from 'fastify';
import { DomainError } from './domain-error.js';

/** No request body of this API nests deeper; deeper input only exists to exhaust the stack. */
export const MAX_JSON_DEPTH = 32;

export class JsonTooDeep extends DomainError {
  readonly kind = 'invalid';
  readonly code = 'json-too-deep';
  readonly title = 'JSON nested too deeply';

  constructor() {
    super(`The JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
}

function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 1 }];
  for (let item = pending.pop(); item; item = pending.pop()) {
    if (typeof item.node !== 'object' || item.node === null) continue;
    if (item.depth > maxDepth) return true;
    for (const child of Object.values(item.node)) pending.push({ node: child, depth: item.depth + 1 });
  }
  return false;
}

/**
 * JSON is the only accepted body: Fastify's own parser (prototype-poisoning safe) plus a
 * depth limit; every other content type (text/plain included) is a 415.
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parseJson(request, typeof body === 'string' ? body : body.toString('utf8'), (error, value) => {
      if (error) return done(error);
      if (nestsDeeperThan(value, MAX_JSON_DEPTH)) return done(new JsonTooDeep());
      done(null, value);
    });
  });
}
