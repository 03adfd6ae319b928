import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';
import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import type { Response } from 'supertest';

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const COMMITTED_DOCUMENT = new URL('../../openapi.json', import.meta.url);
const SCHEMAS_ID = 'openapi';
/** What a path outside the document may answer: no route, or the body or headers refused before routing. */
const UNROUTED_STATUSES = new Set([404, 405, 413, 414, 415, 431]);

export interface Operation {
  method: HttpMethod;
  path: string;
  operation: OperationObject;
}

/** A JSON value as parsed (the document, a schema, a body). */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * OpenAPI 3.0 schema → JSON Schema for ajv: `nullable` becomes a `null` alternative and
 * component `$ref`s point into the schema registered under `SCHEMAS_ID`.
 */
export function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node;
  const converted: Record<string, Json> = {};
  for (const [key, value] of Object.entries(rest)) {
    converted[key] = key === '$ref' && typeof value === 'string' ? `${SCHEMAS_ID}${value}` : toJsonSchema(value);
  }
  return nullable === true ? { anyOf: [converted, { type: 'null' }] } : converted;
}

function isResponseObject(value: ResponseObject | { $ref: string } | undefined): value is ResponseObject {
  return value !== undefined && !('$ref' in value);
}

export interface Violation {
  operation: string;
  status: number;
  message: string;
}

/**
 * Checks HTTP exchanges against the committed OpenAPI document, as an outside client
 * would rely on it. Schemas compile once per process (ajv's cost is in compiling).
 */
export class OpenApiConformance {
  readonly document: OpenAPIObject;
  readonly operations: Operation[];
  private readonly ajv = new Ajv({ strict: false, allErrors: false });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: { pattern: RegExp; path: string }[];

  constructor(document: OpenAPIObject) {
    this.document = document;
    formats.default(this.ajv);
    const components: Json = JSON.parse(JSON.stringify(document.components ?? {}));
    this.ajv.addSchema({ $id: SCHEMAS_ID, components: toJsonSchema(components) });
    this.operations = Object.entries(document.paths).flatMap(([path, item]) =>
      HTTP_METHODS.flatMap((method) => {
        const operation = item[method];
        return operation ? [{ method, path, operation }] : [];
      }),
    );
    // Literal segments win over templated ones (`/users/me` before `/users/{id}`).
    this.templates = Object.keys(document.paths)
      .map((path) => ({
        path,
        pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
      }))
      .sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0));
  }

  /** The document's path template for a request path (query string ignored), or undefined. */
  template(url: string): string | undefined {
    const { pathname } = new URL(url, 'http://localhost');
    return this.templates.find(({ pattern }) => pattern.test(pathname))?.path;
  }

  find(method: HttpMethod, url: string): Operation | undefined {
    const path = this.template(url);
    return this.operations.find((operation) => operation.method === method && operation.path === path);
  }

  private validator(key: string, schema: Json): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      const converted = toJsonSchema(schema);
      if (typeof converted !== 'object' || converted === null || Array.isArray(converted))
        throw new Error(`${key}: not a schema`);
      validate = this.ajv.compile(converted);
      this.validators.set(key, validate);
    }
    return validate;
  }

  /** Every way `response` departs from what the document says of `method url`. */
  violations(method: HttpMethod, url: string, response: Response): Violation[] {
    const status = response.status;
    const found = this.find(method, url);
    if (!found) {
      const { pathname } = new URL(url, 'http://localhost');
      // Swagger UI and its JSON serve the document itself.
      if (pathname === '/docs' || pathname.startsWith('/docs/') || pathname === '/docs-json') return [];
      // A route the document does not have: a 404 or 405 problem, or a refusal before routing.
      const name = `${method.toUpperCase()} ${pathname} (no such operation)`;
      if (!UNROUTED_STATUSES.has(status))
        return [{ operation: name, status, message: 'an undocumented route answered' }];
      return this.checkBody(name, status, response, {
        description: 'no route',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
      });
    }
    const name = `${method.toUpperCase()} ${found.path}`;
    const declared =
      found.operation.responses[String(status)] ??
      found.operation.responses[`${String(status)[0]}XX`] ??
      found.operation.responses.default;
    if (!isResponseObject(declared))
      return [{ operation: name, status, message: 'status not declared for the operation' }];
    const problems = this.checkBody(name, status, response, declared);
    for (const [header, declaredHeader] of Object.entries(declared.headers ?? {})) {
      const definition =
        '$ref' in declaredHeader
          ? this.document.components?.headers?.[declaredHeader.$ref.split('/').pop() ?? '']
          : declaredHeader;
      if (
        definition &&
        'required' in definition &&
        definition.required === true &&
        response.headers[header.toLowerCase()] === undefined
      ) {
        problems.push({ operation: name, status, message: `required header ${header} missing` });
      }
    }
    return problems;
  }

  private checkBody(name: string, status: number, response: Response, declared: ResponseObject): Violation[] {
    const header: unknown = response.headers['content-type'];
    const mediaType = typeof header === 'string' ? (header.split(';')[0] ?? '').trim().toLowerCase() : undefined;
    const hasBody = Boolean(response.text) && response.request.method !== 'HEAD';
    if (!hasBody || mediaType === undefined) return [];
    const media = declared.content?.[mediaType];
    if (!media) {
      const declaredTypes = Object.keys(declared.content ?? {}).join(', ') || 'no body';
      return [
        { operation: name, status, message: `body of type ${mediaType} where the document declares ${declaredTypes}` },
      ];
    }
    if (!media.schema || !/[/+]json$/.test(mediaType)) return [];
    const schema: Json = JSON.parse(JSON.stringify(media.schema));
    const validate = this.validator(`${name} ${status} ${mediaType}`, schema);
    if (validate(response.body)) return [];
    const reference = '$ref' in media.schema ? ` of ${media.schema.$ref}` : '';
    return (validate.errors ?? []).map((error) => ({
      operation: name,
      status,
      message: `body${error.instancePath} ${error.message ?? 'is invalid'} (schema path ${error.schemaPath}${reference})`,
    }));
  }
}

/** One line naming every violation of an exchange, for the error that fails the test. */
export function describeViolations(violations: Violation[]): string {
  return `OpenAPI conformance: ${violations.map((v) => `${v.operation} → ${v.status}: ${v.message}`).join('; ')}`;
}

let committed: OpenApiConformance | undefined;

/** The checker for the committed `openapi.json`, built once per module instance (per worker: see `built.ts`). */
export function committedConformance(): OpenApiConformance {
  committed ??= new OpenApiConformance(JSON.parse(readFileSync(COMMITTED_DOCUMENT, 'utf8')));
  return committed;
}
