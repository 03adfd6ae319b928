import type {
  HeaderObject,
  OpenAPIObject,
  OperationObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from '../idempotency/idempotent.decorator.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const COMPONENT_PREFIX = '#/components/schemas/';

const header = (description: string, required: boolean, schema: SchemaObject = { type: 'string' }): HeaderObject => ({
  description,
  required,
  schema,
});

const RATE_LIMIT_HEADERS: Record<string, HeaderObject> = {
  'RateLimit-Limit': header(
    'Requests allowed in the current window (absent when the request was refused before rate limiting)',
    false,
    { type: 'integer' },
  ),
  'RateLimit-Remaining': header('Requests left in the current window', false, { type: 'integer' }),
  'RateLimit-Reset': header('Seconds until the current window resets', false, { type: 'integer' }),
};

/** Defined once in `components.headers`, referred to from each response. */
const HEADERS: Record<string, HeaderObject> = {
  'X-Request-Id': header(
    'Id of this request, as in problem details and the logs (a well-formed incoming one is echoed)',
    true,
  ),
  ...RATE_LIMIT_HEADERS,
  Location: header('URL of the created (or joined) resource', true),
  'WWW-Authenticate': header(
    'The authentication scheme: `Bearer realm="yello"`, with `error="invalid_token"` when a token was sent and refused',
    true,
  ),
  'Retry-After': header('Seconds to wait before retrying', true, { type: 'integer' }),
  [IDEMPOTENT_REPLAYED_HEADER]: header(
    '`true` when this replays an earlier request with the same `Idempotency-Key`',
    false,
    {
      type: 'string',
      enum: ['true'],
    },
  ),
};

/** The names of the headers an answer of an operation carries, by status. */
function conventionalHeaders(path: string, operation: OperationObject, status: string): string[] {
  const names = ['X-Request-Id'];
  if (path.startsWith('/api/')) names.push(...Object.keys(RATE_LIMIT_HEADERS));
  if (status === '201') names.push('Location');
  if (status === '401') names.push('WWW-Authenticate');
  if (status === '429' || status === '503') names.push('Retry-After');
  const idempotent = (operation.parameters ?? []).some(
    (parameter) => 'name' in parameter && parameter.name === IDEMPOTENCY_KEY_HEADER,
  );
  if (idempotent && status.startsWith('2')) names.push(IDEMPOTENT_REPLAYED_HEADER);
  return names;
}

const headerRefs = (names: string[]): Record<string, ReferenceObject> =>
  Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

function isResponse(response: ResponseObject | ReferenceObject | undefined): response is ResponseObject {
  return response !== undefined && !('$ref' in response);
}

/** Component names a schema refers to, directly or through its nested schemas. */
function references(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) references(item, found);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT_PREFIX))
        found.add(value.slice(COMPONENT_PREFIX.length));
      else references(value, found);
    }
  }
  return found;
}

/**
 * What every route does and the decorators do not say, written into the document from
 * one place: the response headers of the HTTP conventions (`X-Request-Id`, `RateLimit-*`,
 * `Location`, `WWW-Authenticate`, `Retry-After`, `Idempotent-Replayed`), and
 * `additionalProperties: false` on request bodies (validation refuses unknown properties).
 */
export function applyHttpConventions(document: OpenAPIObject): OpenAPIObject {
  const requestSchemas = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        if (isResponse(response))
          response.headers = { ...headerRefs(conventionalHeaders(path, operation, status)), ...response.headers };
      }
      if (operation.requestBody) references(operation.requestBody, requestSchemas);
    }
  }
  document.components = { ...document.components, headers: { ...document.components?.headers, ...HEADERS } };
  const schemas = document.components.schemas ?? {};
  // Nested request objects too: validation refuses unknown properties at every depth.
  for (const name of [...requestSchemas]) references(schemas[name], requestSchemas);
  for (const name of requestSchemas) {
    const schema = schemas[name];
    if (schema && !('$ref' in schema) && schema.type === 'object') schema.additionalProperties = false;
  }
  return document;
}
