import type { OpenAPIObject } from '@nestjs/swagger';
import { readFile, writeFile } from 'node:fs/promises';
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
