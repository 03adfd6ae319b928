import type { OpenAPIObject } from '@nestjs/swagger';
import { useTestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../factories/users.js';
import { createLabel, createProject, createTask } from '../factories/projects.js';
import { createTenantCrew, invite, type TenantCrew } from '../factories/tenants.js';

type PathItem = OpenAPIObject['paths'][string];
const METHODS = ['get', 'post', 'patch', 'delete'] as const;

const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  -1,
  0,
  1e308,
  -9007199254740993,
  '',
  ' ',
  'x'.repeat(20_000),
  '😀🚀 ünïcödé \u202e',
  '\ud800',
  "' OR 1=1; --",
  '<script>alert(1)</script>',
  '0190c7a4-0000-7000-8000-000000000000',
  [],
  ['a', 1, null],
  {},
  { $ne: null },
  { __proto__: { admin: true } },
];

const HOSTILE_PATH_SEGMENTS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  'x'.repeat(300),
  '%20',
  "'%20OR%201=1",
  '..%2F..',
  '1e9999',
];
const HOSTILE_QUERIES = [
  { limit: '-1' },
  { limit: '1e309' },
  { limit: 'NaN' },
  { cursor: '!!!' },
  { cursor: 'x'.repeat(3000) },
  { 'a[b]': '1' },
];

/**
 * Every operation of the OpenAPI document, fed wrong types, edge values and hostile
 * strings in every body field, path segment and query parameter: never a 5xx, and
 * every error a problem document.
 */
describe('bad input anywhere', () => {
  const t = useTestApp();
  let crew: TenantCrew;
  let caller: RegisteredUser;
  let document: OpenAPIObject;
  let invitationId: string;
  let ids: Record<string, string>;
  beforeAll(async () => {
    document = (await t.http.get('/docs-json').expect(200)).body;
    crew = await createTenantCrew(t.http);
    caller = crew.owner;
    invitationId = (await invite(t.http, crew.tenant.id, crew.owner, 'fuzz@example.com', 'member')).id;
    const project = await createProject(t.http, crew.tenant.id, crew.owner);
    const task = await createTask(t.http, crew.tenant.id, project.id, crew.owner);
    const comment = await t.http
      .post(`/api/v1/tenants/${crew.tenant.id}/tasks/${task.key}/comments`)
      .set(crew.owner.auth)
      .send({ body: 'x' });
    const label = await createLabel(t.http, crew.tenant.id, crew.owner);
    ids = { projectId: project.id, taskRef: task.key, commentId: comment.body.id, labelId: label.id };
  });

  function realPath(path: string): string {
    return path
      .replace('{tenantId}', crew.tenant.id)
      .replace('{userId}', crew.viewer.id)
      .replace('{invitationId}', invitationId)
      .replace('{sessionId}', '0190c7a4-0000-7000-8000-000000000000')
      .replace(/\{(projectId|taskRef|commentId|labelId)\}/g, (_, name: string) => ids[name] ?? name);
  }

  function bodyFields(operation: NonNullable<PathItem['post']>): string[] {
    const content =
      operation.requestBody && 'content' in operation.requestBody ? operation.requestBody.content : undefined;
    const schema = content?.['application/json']?.schema;
    const ref = schema && '$ref' in schema ? schema.$ref.split('/').pop() : undefined;
    const component = ref ? document.components?.schemas?.[ref] : undefined;
    return component && 'properties' in component ? Object.keys(component.properties ?? {}) : [];
  }

  it('never answers 5xx, and every error is problem+json', async () => {
    const failures: string[] = [];
    let sent = 0;
    const check = async (method: (typeof METHODS)[number], path: string, body?: unknown, query?: object) => {
      const response = await t.http[method](path)
        .set(caller.auth)
        .query(query ?? {})
        .send(body === undefined ? undefined : JSON.stringify(body))
        .set('Content-Type', 'application/json');
      sent++;
      const problem =
        response.status < 400 || String(response.headers['content-type']).startsWith('application/problem+json');
      if (response.status >= 500 || !problem)
        failures.push(`${method.toUpperCase()} ${path} ${JSON.stringify(body)?.slice(0, 80)} → ${response.status}`);
    };

    for (const [path, item] of Object.entries<PathItem>(document.paths)) {
      for (const method of METHODS) {
        const operation = item[method];
        if (!operation) continue;
        // Leave the caller signed in, and the tenant, project, task, comment and label in
        // place for the other cases (deleting a member, an invitation or a session leaves them be).
        if (path.endsWith('/logout') || (method === 'delete' && !/\{(userId|invitationId|sessionId)\}$/.test(path)))
          continue;
        const fields = bodyFields(operation);
        const target = realPath(path);
        for (const segment of HOSTILE_PATH_SEGMENTS) {
          if (path.includes('{')) await check(method, path.replace(/\{[^}]+\}/, segment), {});
        }
        for (const query of HOSTILE_QUERIES) await check(method, target, undefined, query);
        if (method === 'get' || method === 'delete') continue;
        for (const body of [[], 'text', 42, null, { unknown: 1 }]) await check(method, target, body);
        for (const field of fields) {
          for (const value of HOSTILE_VALUES) await check(method, target, { [field]: value });
        }
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(500);
    // Hundreds of requests in sequence: about 20 s alone, past Jest's default 30 s when the
    // 2-core machine also runs the browser test and other suites.
  }, 120_000);

  it('keeps the caller able to work afterwards', async () => {
    await t.http.get('/api/v1/users/me').set(caller.auth).expect(200);
    await registerUser(t.http);
  });
});
