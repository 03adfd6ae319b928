import type { OpenAPIObject } from '@nestjs/swagger';
import { readFile, writeFile } from 'node:fs/promises';
import { PROBLEM_EXAMPLES } from '../../src/common/openapi/api-problems.decorator.js';
import { createProject } from '../factories/projects.js';
import { createTenantCrew } from '../factories/tenants.js';
import { useTestApp } from '../support/test-app.js';

const COMMITTED = new URL('../../openapi.json', import.meta.url);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
type PathItem = OpenAPIObject['paths'][string];
type OperationObject = NonNullable<PathItem['get']>;

function operations(document: OpenAPIObject) {
  return Object.entries<PathItem>(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation: OperationObject | undefined = item[method];
      return operation ? [{ path, method, operation }] : [];
    }),
  );
}

const isPublic = (operation: OperationObject) => JSON.stringify(operation.security) === '[{}]';

describe('OpenAPI document', () => {
  const t = useTestApp();
  let document: OpenAPIObject;
  beforeAll(async () => {
    document = (await t.http.get('/docs-json').expect(200)).body;
  });

  it('matches the committed openapi.json (run `npm run openapi` after an API change)', async () => {
    const generated = `${JSON.stringify(document, null, 2)}\n`;
    if (process.env.OPENAPI_UPDATE === '1') await writeFile(COMMITTED, generated);
    expect(JSON.parse(await readFile(COMMITTED, 'utf8'))).toEqual(document);
  });

  it('documents a success response and problem responses for every operation', () => {
    for (const { path, method, operation } of operations(document)) {
      const statuses = Object.keys(operation.responses);
      expect({ path, method, success: statuses.some((status) => status.startsWith('2')) }).toEqual({
        path,
        method,
        success: true,
      });
      if (!isPublic(operation))
        expect({ path, method, statuses }).toEqual({ path, method, statuses: expect.arrayContaining(['401']) });
    }
  });

  it('shows, under each problem status, an example of that status', () => {
    for (const { path, method, operation } of operations(document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const media = response && 'content' in response ? response.content?.['application/problem+json'] : undefined;
        if (!media) continue;
        const example: unknown = media.example;
        expect({ path, method, status, example }).toEqual({
          path,
          method,
          status,
          example: expect.objectContaining({ status: Number(status) }),
        });
        // Field-level `errors` belong to validation failures.
        if (status !== '400') expect({ path, method, status, example }).not.toHaveProperty('example.errors');
      }
    }
  });

  it('gives problem examples that match what the API really answers', async () => {
    const crew = await createTenantCrew(t.http);
    const tenant = `/api/v1/tenants/${crew.tenant.id}`;
    const project = await createProject(t.http, crew.tenant.id, crew.owner);
    const answers: Record<number, () => Promise<{ body: unknown }>> = {
      400: () => t.http.post('/api/v1/auth/register').send({ email: 'nope', name: 'Ada', password: 'Plum-Orbit-92x' }),
      401: () => t.http.get('/api/v1/users/me'),
      403: () => t.http.patch(tenant).set(crew.viewer.auth).send({ name: 'Taken over' }),
      404: () => t.http.get('/api/v1/tenants/0190c7a4-0000-7000-8000-000000000000').set(crew.owner.auth),
      409: () =>
        t.http.post(`${tenant}/invitations`).set(crew.owner.auth).send({ email: crew.viewer.email, role: 'member' }),
      412: () =>
        t.http
          .patch(`${tenant}/projects/${project.id}`)
          .set(crew.owner.auth)
          .set('If-Match', '"3"')
          .send({ name: 'Renamed' }),
      413: () =>
        t.http.post('/api/v1/auth/login').send({ email: 'ada@example.com', password: 'x'.repeat(1024 * 1024) }),
      415: () => t.http.post('/api/v1/auth/login').set('Content-Type', 'text/plain').send('hello'),
    };
    // The detail of a version mismatch names the current version.
    const comparable = (status: number, body: unknown) =>
      typeof body === 'object' && body !== null
        ? { ...body, requestId: undefined, detail: status === 412 ? undefined : Reflect.get(body, 'detail') }
        : body;
    for (const [status, answer] of Object.entries(answers)) {
      const { body } = await answer();
      expect(comparable(Number(status), body)).toEqual(comparable(Number(status), PROBLEM_EXAMPLES[Number(status)]));
    }
  });

  it('serves Swagger UI', async () => {
    const response = await t.http.get('/docs').redirects(1).expect(200);
    expect(response.text).toContain('swagger-ui');
  });

  // Every route not marked @Public() must refuse an anonymous caller.
  it('answers 401 to every non-public operation called without a token', async () => {
    const anyId = '0190c7a4-0000-7000-8000-000000000000';
    const guarded = operations(document).filter(({ operation }) => !isPublic(operation));
    expect(guarded.length).toBeGreaterThan(0);
    for (const { path, method } of guarded) {
      const response = await t.http[method](path.replace(/\{[^}]+\}/g, anyId)).send({});
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 401 });
    }
  });
});
