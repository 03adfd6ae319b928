import type { ParameterObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';
import fc from 'fast-check';
import { createLabel, createProject, createTask } from '../factories/projects.js';
import { addMember, createTenant, invite } from '../factories/tenants.js';
import { registerUser, type RegisteredUser } from '../factories/users.js';
import { committedConformance, type Operation } from '../support/openapi-conformance.js';
import { useTestApp } from '../support/test-app.js';

/**
 * A property-based fuzzer over the whole committed contract: every operation of
 * `openapi.json` (new ones included, untold) gets valid, boundary and hostile values in
 * path, query, headers and body, as the owner of a real tenant with real ids and
 * anonymously. Every response is checked by the conformance hook of the test app
 * (status declared, body and required headers as documented); here on top: no 5xx, and
 * every error is problem+json. `npm run fuzz` for 10 000 runs; `FUZZ_SEED` replays one.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const RUNS = Number(process.env.FUZZ_RUNS ?? 250);

const conformance = committedConformance();
const schemas = conformance.document.components?.schemas ?? {};

const resolve = (schema: SchemaObject | ReferenceObject | undefined): SchemaObject | undefined =>
  schema && '$ref' in schema ? resolve(schemas[schema.$ref.split('/').pop() ?? '']) : schema;

/** Strings that broke or could break length checks, storage and parsers. */
const EDGE_STRINGS = [
  '',
  ' ',
  'a\u0301'.repeat(60), // combining marks
  'a\uFE0F'.repeat(100), // variation selectors (counted apart from their base)
  '😀'.repeat(60), // astral: two UTF-16 units each
  '\u200B\u200C\u200D\u2060', // zero-width
  '\u202Eevil\u202C', // RTL override
  'x'.repeat(20_000),
  "' OR 1=1; --",
  '0190c7a4-0000-7000-8000-000000000000',
];
const WRONG_TYPES: unknown[] = [null, true, -1, 0, 1.5, 1e308, [], ['a', 1], {}, { $ne: null }];

const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...EDGE_STRINGS),
  fc.constantFrom(...WRONG_TYPES),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);

/** Values near a string schema's bounds: at the limit, past it, padded with invisible units. */
function boundary(schema: SchemaObject): fc.Arbitrary<unknown> {
  const max = schema.maxLength ?? 100;
  return fc.constantFrom(
    'a'.repeat(max),
    'a'.repeat(max + 1),
    'a\uFE0F'.repeat(max),
    '😀'.repeat(max),
    'a'.repeat(schema.minLength ?? 0),
  );
}

/** A value the schema accepts (as far as a schema says: formats and patterns included). */
function valid(schema: SchemaObject | ReferenceObject | undefined, depth = 0): fc.Arbitrary<unknown> {
  const resolved = resolve(schema);
  if (!resolved || depth > 4) return fc.constant('x');
  if (resolved.enum) return fc.constantFrom(...resolved.enum);
  if (resolved.allOf?.[0]) return valid(resolved.allOf[0], depth + 1);
  const alternatives = resolved.anyOf ?? resolved.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((alternative) => valid(alternative, depth + 1)));
  switch (resolved.type) {
    case 'integer':
      return fc.integer({ min: resolved.minimum ?? -1000, max: resolved.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: resolved.minimum ?? -1000, max: resolved.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valid(resolved.items, depth + 1), { maxLength: 3 });
    case 'object': {
      const properties = Object.fromEntries(
        Object.entries(resolved.properties ?? {}).map(([name, property]) => [name, field(property, depth + 1)]),
      );
      return fc.record(properties, { requiredKeys: resolved.required ?? [] });
    }
    default:
      if (resolved.format === 'uuid') return fc.uuid();
      if (resolved.format === 'date')
        return fc
          .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10));
      if (resolved.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      if (resolved.format === 'email') return fc.emailAddress();
      if (resolved.pattern)
        return fc.stringMatching(new RegExp(resolved.pattern)).filter((s) => s.length <= (resolved.maxLength ?? 1000));
      return fc.string({
        unit: 'grapheme',
        minLength: resolved.minLength ?? 0,
        maxLength: Math.min(resolved.maxLength ?? 40, 40),
      });
  }
}

/** Mostly valid, sometimes at the bounds, sometimes hostile. */
function field(schema: SchemaObject | ReferenceObject | undefined, depth = 0): fc.Arbitrary<unknown> {
  const resolved = resolve(schema);
  const edges = resolved?.type === 'string' ? [{ weight: 1, arbitrary: boundary(resolved) }] : [];
  return fc.oneof({ weight: 4, arbitrary: valid(schema, depth) }, ...edges, { weight: 1, arbitrary: hostile });
}

const asText = (value: unknown): string =>
  Array.isArray(value) ? value.map(String).join(',') : typeof value === 'string' ? value : JSON.stringify(value);

interface FuzzRequest {
  /** `METHOD /path`: short in a counterexample, unlike the operation object. */
  operation: string;
  anonymous: boolean;
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, string | undefined>;
  body: unknown;
  contentType: string;
}

function requestFor(operation: Operation): fc.Arbitrary<FuzzRequest> {
  const parameters = (operation.operation.parameters ?? []).filter((p): p is ParameterObject => 'in' in p);
  const path = Object.fromEntries(
    parameters
      .filter((p) => p.in === 'path')
      .map((p) => [
        p.name,
        fc.oneof(
          { weight: 6, arbitrary: fc.constant(REAL) },
          { weight: 1, arbitrary: valid(p.schema) },
          { weight: 1, arbitrary: hostile },
        ),
      ]),
  );
  const query = Object.fromEntries(parameters.filter((p) => p.in === 'query').map((p) => [p.name, field(p.schema)]));
  // Header values must stay printable ASCII for Node to send them at all.
  const headerValue = fc.oneof(
    fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7E]/g, '')),
    fc.constantFrom('"3"', '*', 'W/"1"', 'x'.repeat(300)),
  );
  const headers = Object.fromEntries(parameters.filter((p) => p.in === 'header').map((p) => [p.name, headerValue]));
  const content =
    operation.operation.requestBody && 'content' in operation.operation.requestBody
      ? operation.operation.requestBody.content
      : undefined;
  const bodySchema = content?.['application/json']?.schema;
  const body = bodySchema
    ? fc.oneof(
        { weight: 6, arbitrary: valid(bodySchema) },
        {
          weight: 1,
          arbitrary: valid(bodySchema).map((b) => ({ ...(typeof b === 'object' ? b : {}), unexpected: 1 })),
        },
        { weight: 1, arbitrary: hostile },
      )
    : fc.oneof(
        { weight: 6, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.constant({}) },
        { weight: 1, arbitrary: hostile },
      );
  return fc.record({
    operation: fc.constant(nameOf(operation)),
    anonymous: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    path: fc.record(path),
    query: fc.record(query, { requiredKeys: [] }),
    headers: fc.record(headers, { requiredKeys: [] }),
    body,
    contentType: fc.constantFrom(
      'application/json',
      'application/json',
      'application/json',
      'application/json',
      'text/plain',
    ),
  });
}

/**
 * One arbitrary per operation, built on first use: building one is pure (no randomness
 * drawn, so a seed replays the same requests), but not cheap (`stringMatching` tokenizes its
 * pattern; it was a third of this file's time when rebuilt for every generated request).
 */
const requestArbitraries = new Map<Operation, fc.Arbitrary<FuzzRequest>>();
function cachedRequestFor(operation: Operation): fc.Arbitrary<FuzzRequest> {
  let arbitrary = requestArbitraries.get(operation);
  if (!arbitrary) {
    arbitrary = requestFor(operation);
    requestArbitraries.set(operation, arbitrary);
  }
  return arbitrary;
}

const nameOf = (operation: Operation): string => `${operation.method.toUpperCase()} ${operation.path}`;
const OPERATIONS = new Map(conformance.operations.map((operation) => [nameOf(operation), operation]));

/** Stands for "the real id of the fixture" in a generated path. */
const REAL = Symbol('real id');

describe('fuzzer over the OpenAPI contract', () => {
  const t = useTestApp();
  let owner: RegisteredUser;
  let real: Record<string, string> = {};

  /** A tenant with one of everything; rebuilt after a request may have destroyed it. */
  async function buildWorld(): Promise<void> {
    owner = await registerUser(t.http);
    const tenant = await createTenant(t.http, owner);
    const viewer = await addMember(t.http, tenant.id, owner, 'viewer');
    const invitation = await invite(t.http, tenant.id, owner, `fuzz-${Date.now()}@example.com`, 'member');
    const project = await createProject(t.http, tenant.id, owner);
    const task = await createTask(t.http, tenant.id, project.id, owner);
    const comment = await t.http
      .post(`/api/v1/tenants/${tenant.id}/tasks/${task.key}/comments`)
      .set(owner.auth)
      .send({ body: 'x' })
      .expect(201);
    const label = await createLabel(t.http, tenant.id, owner);
    const sessions = await t.http.get('/api/v1/auth/sessions').set(owner.auth).expect(200);
    real = {
      tenantId: tenant.id,
      userId: viewer.id,
      invitationId: invitation.id,
      projectId: project.id,
      taskRef: task.key,
      commentId: comment.body.id,
      labelId: label.id,
      sessionId: sessions.body.data[0].id,
    };
  }

  beforeAll(buildWorld);

  it(
    `holds for ${RUNS} generated requests (FUZZ_SEED=${SEED})`,
    async () => {
      const figures = { requests: 0, byStatus: new Map<number, number>() };
      process.stdout.write(`fuzz: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}\n`);
      const property = fc.asyncProperty(
        fc.constantFrom(...conformance.operations).chain(cachedRequestFor),
        async ({ operation: name, anonymous, path, query, headers, body, contentType }) => {
          const operation = OPERATIONS.get(name);
          if (!operation) throw new Error(`No operation ${name}`);
          const url = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
            const value = path[name];
            return encodeURIComponent(value === REAL ? (real[name] ?? name) : asText(value));
          });
          let request = t.http[operation.method](url).query(
            Object.fromEntries(Object.entries(query).map(([k, v]) => [k, asText(v)])),
          );
          for (const [name, value] of Object.entries(headers))
            if (value !== undefined) request = request.set(name, value);
          if (!anonymous) request = request.set(owner.auth);
          if (body !== undefined) request = request.set('Content-Type', contentType).send(JSON.stringify(body));
          const response = await request; // the conformance hook checks status, body and headers
          figures.requests++;
          figures.byStatus.set(response.status, (figures.byStatus.get(response.status) ?? 0) + 1);
          const where = `${operation.method.toUpperCase()} ${url} → ${response.status}`;
          if (response.status >= 500) throw new Error(`${where}: ${response.text.slice(0, 300)}`);
          if (
            response.status >= 400 &&
            !String(response.headers['content-type']).startsWith('application/problem+json')
          ) {
            throw new Error(`${where}: an error that is not problem+json`);
          }
          // A success that may have destroyed the fixture (a delete, a logout, a new password): rebuild it.
          const destructive = operation.method === 'delete' || /\/(auth|users\/me\/password)/.test(operation.path);
          if (response.status < 300 && destructive && operation.method !== 'get') await buildWorld();
        },
      );
      await fc.assert(property, { seed: SEED, numRuns: RUNS, verbose: fc.VerbosityLevel.Verbose });
      process.stdout.write(
        `fuzz: ${figures.requests} requests, by status ${JSON.stringify(Object.fromEntries(figures.byStatus))}\n`,
      );
    },
    60_000 + RUNS * 100,
  );
});
