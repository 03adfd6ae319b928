import type { OpenAPIObject } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { hangUpOnEventStream } from '../../support/event-stream.js';
import { useTestApp } from '../../support/test-app.js';
import { uniqueEmail, type RegisteredUser } from '../../factories/users.js';
import { createTenantCrew, invite, type TenantCrew } from '../../factories/tenants.js';
import { createApiToken, type CreatedApiToken } from '../../factories/api-tokens.js';
import {
  createLabel,
  createProject,
  createTask,
  uniqueProjectKey,
  type CreatedProject,
  type CreatedTask,
} from '../../factories/projects.js';
import { createWebhook, type CreatedWebhook } from '../../factories/webhooks.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
type Method = (typeof METHODS)[number];
type PathItem = OpenAPIObject['paths'][string];
type Operation = NonNullable<PathItem['get']>;

const TENANT_ROUTES = '/api/v1/tenants/{tenantId}';

/** One id of tenant A, and an id in the same form that exists in no tenant. */
interface Foreign {
  a: string;
  missing: string;
}

/** What a route answers, as compared across tenants (the request id differs on every call). */
interface Answer {
  status: number;
  body: unknown;
}

interface Outcome extends Answer {
  request: string;
  leaks: string[];
}

/** A valid body for each request schema of a write: validation must not be what refuses it. */
const BODIES: Record<string, object> = {
  UpdateTenant: { name: 'Taken over' },
  ChangeRole: { role: 'viewer' },
  CreateInvitation: { email: 'planted@example.com', role: 'member' },
  CreateProject: { name: 'Planted', key: uniqueProjectKey() },
  UpdateProject: { name: 'Taken over' },
  CreateState: { key: 'planted', name: 'Planted', category: 'started' },
  UpdateState: { name: 'Taken over', isDefault: true },
  CreateTask: { title: 'Planted' },
  UpdateTask: { priority: 'urgent' },
  CommentBody: { body: 'Planted' },
  CreateLabel: { name: 'Planted', color: '#000000' },
  UpdateLabel: { color: '#000000' },
  CreateRelation: { type: 'relates_to', task: 'ZZ-1' },
  BulkTaskChange: { tasks: ['ZZ-1'], set: { priority: 'high' } },
  CreateApiToken: { name: 'Planted', scopes: ['admin'] },
  CreateWebhook: { url: 'http://127.0.0.1:9/planted', events: ['task.*'] },
  UpdateWebhook: { active: false },
};

function operations(document: OpenAPIObject): { method: Method; path: string; operation: Operation }[] {
  return Object.entries<PathItem>(document.paths)
    .filter(([path]) => path.startsWith(TENANT_ROUTES))
    .flatMap(([path, item]) =>
      METHODS.flatMap((method) => {
        const operation: Operation | undefined = item[method];
        return operation ? [{ method, path, operation }] : [];
      }),
    );
}

function parameterNames(operation: Operation, place: 'path' | 'query'): string[] {
  return (operation.parameters ?? []).flatMap((parameter) =>
    'in' in parameter && parameter.in === place ? [parameter.name] : [],
  );
}

function bodyOf(method: Method, path: string, operation: Operation): object | undefined {
  const body = operation.requestBody;
  if (body === undefined) return undefined;
  const schema = 'content' in body ? body.content['application/json']?.schema : undefined;
  const name = schema && '$ref' in schema ? schema.$ref.split('/').at(-1) : undefined;
  const valid = name === undefined ? undefined : BODIES[name];
  if (!valid)
    throw new Error(
      `${method.toUpperCase()} ${path}: no valid body for schema ${name ?? '(inline)'}; add one to BODIES`,
    );
  return valid;
}

interface Values {
  a: Record<string, string>;
  missing: Record<string, string>;
}

/** Every way to pick one of A's values (and its missing twin) for each of `names`. */
function combinations(names: string[], foreign: (name: string) => Foreign[]): Values[] {
  return names.reduce<Values[]>(
    (partial, name) =>
      partial.flatMap((combination) =>
        foreign(name).map((value) => ({
          a: { ...combination.a, [name]: value.a },
          missing: { ...combination.missing, [name]: value.missing },
        })),
      ),
    [{ a: {}, missing: {} }],
  );
}

/** Every non-empty subset of `names`. */
const subsets = (names: string[]): string[][] =>
  names
    .reduce<string[][]>((partial, name) => [...partial, ...partial.map((subset) => [...subset, name])], [[]])
    .filter((subset) => subset.length > 0);

function fill(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${path}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
}

const withoutRequestId = (body: unknown): unknown =>
  typeof body === 'object' && body !== null && 'requestId' in body ? { ...body, requestId: undefined } : body;

describe('cross-tenant isolation', () => {
  const t = useTestApp();
  let document: OpenAPIObject;
  let a: TenantCrew;
  let b: TenantCrew;
  /** The project key both tenants use: `${sharedKey}-1` is a task of each. */
  const sharedKey = uniqueProjectKey();
  let projectA: CreatedProject;
  let projectB: CreatedProject;
  /** B's project for the writes of this file, under a key of its own (keeps `${sharedKey}-2` A's alone). */
  let workB: CreatedProject;
  let firstA: CreatedTask;
  /** A's `${sharedKey}-2`, with an assignee, a label and a parent: B has no task of that key. */
  let taskA: CreatedTask;
  let taskB: CreatedTask;
  let workTaskB: CreatedTask;
  let commentA: { id: string; body: string };
  let commentB: { id: string };
  let labelA: { id: string; name: string };
  let labelB: { id: string };
  let relationA: { id: string };
  let relationB: { id: string };
  let stateA: { id: string; name: string };
  let stateB: { id: string };
  let invitationA: { id: string; email: string };
  let invitationB: { id: string };
  let tokenA: CreatedApiToken;
  let tokenB: CreatedApiToken;
  let webhookA: CreatedWebhook;
  let webhookB: CreatedWebhook;
  let deliveryA: { id: string };
  let deliveryB: { id: string };
  let secretsOfA: string[];
  let snapshotBefore: unknown;

  const tenantPath = (crew: TenantCrew, rest = '') => `/api/v1/tenants/${crew.tenant.id}${rest}`;

  const comment = async (crew: TenantCrew, author: RegisteredUser, taskRef: string, body: string) => {
    const response = await t.http
      .post(tenantPath(crew, `/tasks/${taskRef}/comments`))
      .set(author.auth)
      .send({ body })
      .expect(201);
    return { id: String(response.body.id), body };
  };

  /** A webhook (no job runner here: its deliveries stay pending) and the delivery of a ping. */
  const webhookWithDelivery = async (crew: TenantCrew, url: string) => {
    const webhook = await createWebhook(t.http, crew.tenant.id, crew.owner, { url });
    const ping = await t.http
      .post(tenantPath(crew, `/webhooks/${webhook.id}/ping`))
      .set(crew.owner.auth)
      .expect(202);
    return { webhook, delivery: { id: String(ping.body.id) } };
  };

  const relate = async (crew: TenantCrew, taskRef: string, other: string) => {
    const response = await t.http
      .post(tenantPath(crew, `/tasks/${taskRef}/relations`))
      .set(crew.owner.auth)
      .send({ type: 'blocks', task: other })
      .expect(201);
    return { id: String(response.body.id) };
  };

  const addState = async (crew: TenantCrew, projectId: string, name: string) => {
    const response = await t.http
      .post(tenantPath(crew, `/projects/${projectId}/states`))
      .set(crew.owner.auth)
      .send({ key: 'review', name, category: 'started' })
      .expect(201);
    return { id: String(response.body.id), name };
  };

  /** Path parameter → B's own value and A's values (every form a route accepts). */
  const pathParameters = (): Record<string, { b: string; foreign: Foreign[] }> => ({
    projectId: { b: projectB.id, foreign: [{ a: projectA.id, missing: randomUUID() }] },
    taskRef: {
      b: taskB.key, // the same key as A's first task: B's own
      foreign: [
        { a: taskA.id, missing: randomUUID() },
        { a: taskA.key, missing: `${sharedKey}-99999` },
      ],
    },
    commentId: { b: commentB.id, foreign: [{ a: commentA.id, missing: randomUUID() }] },
    labelId: { b: labelB.id, foreign: [{ a: labelA.id, missing: randomUUID() }] },
    relationId: { b: relationB.id, foreign: [{ a: relationA.id, missing: randomUUID() }] },
    stateId: { b: stateB.id, foreign: [{ a: stateA.id, missing: randomUUID() }] },
    userId: { b: b.member.id, foreign: [{ a: a.member.id, missing: randomUUID() }] },
    invitationId: { b: invitationB.id, foreign: [{ a: invitationA.id, missing: randomUUID() }] },
    tokenId: { b: tokenB.id, foreign: [{ a: tokenA.id, missing: randomUUID() }] },
    webhookId: { b: webhookB.id, foreign: [{ a: webhookA.id, missing: randomUUID() }] },
    deliveryId: { b: deliveryB.id, foreign: [{ a: deliveryA.id, missing: randomUUID() }] },
  });

  /** Query filters that take an id (`…Id`) → A's value. */
  const queryParameters = (): Record<string, Foreign> => ({
    projectId: { a: projectA.id, missing: randomUUID() },
    assigneeId: { a: a.member.id, missing: randomUUID() },
    labelId: { a: labelA.id, missing: randomUUID() },
    parentId: { a: firstA.id, missing: randomUUID() },
    userId: { a: a.member.id, missing: randomUUID() },
  });

  function foreignValues(name: string, route: string): Foreign[] {
    const parameter = pathParameters()[name];
    if (!parameter) throw new Error(`${route}: no value of tenant A for {${name}}; add it to pathParameters`);
    return parameter.foreign;
  }

  function ownValue(name: string, route: string): string {
    const parameter = pathParameters()[name];
    if (!parameter) throw new Error(`${route}: no value of tenant B for {${name}}; add it to pathParameters`);
    return parameter.b;
  }

  const leaksIn = (response: { body: unknown; headers: object }): string[] => {
    const text = JSON.stringify([response.body, response.headers]);
    return secretsOfA.filter((secret) => text.includes(secret));
  };

  async function call(caller: RegisteredUser, method: Method, path: string, body?: object) {
    const response = await hangUpOnEventStream(t.http[method](path), path).set(caller.auth).send(body);
    return {
      status: response.status,
      body: withoutRequestId(response.body),
      headers: response.headers,
      leaks: leaksIn(response),
    };
  }

  /**
   * Calls `path` filled with A's values and again with missing ones: the first must be
   * answered exactly like the second (with the `expected` status, when given), leaking
   * nothing of A.
   */
  async function compare(
    caller: RegisteredUser,
    request: { method: Method; path: string; body?: object; label: string },
    values: Values,
    expected: number | null,
  ): Promise<{ actual: Outcome; wanted: Outcome }> {
    const foreign = await call(caller, request.method, fill(request.path, values.a), request.body);
    const missing = await call(caller, request.method, fill(request.path, values.missing), request.body);
    const label = `${request.method.toUpperCase()} ${request.path} ${request.label}`;
    return {
      actual: { request: label, status: foreign.status, body: foreign.body, leaks: foreign.leaks },
      wanted: { request: label, status: expected ?? missing.status, body: missing.body, leaks: [] },
    };
  }

  async function snapshotOfA(): Promise<unknown> {
    const read = async (rest: string): Promise<unknown> =>
      (await t.http.get(tenantPath(a, rest)).set(a.owner.auth).expect(200)).body;
    const paths = [
      '',
      '/members',
      '/invitations',
      '/projects',
      `/projects/${projectA.id}`,
      `/projects/${projectA.id}/tasks`,
      `/projects/${projectA.id}/states`,
      '/tasks',
      `/tasks/${firstA.id}`,
      `/tasks/${taskA.id}`,
      `/tasks/${taskA.id}/activity`,
      `/tasks/${firstA.id}/activity`,
      `/tasks/${taskA.id}/comments`,
      `/tasks/${taskA.id}/comments/${commentA.id}`,
      `/tasks/${taskA.id}/relations`,
      '/labels',
      `/labels/${labelA.id}`,
      `/invitations/${invitationA.id}`,
      '/api-tokens',
      '/webhooks',
      `/webhooks/${webhookA.id}`,
      `/webhooks/${webhookA.id}/deliveries`,
    ];
    return Object.fromEntries(await Promise.all(paths.map(async (path) => [path, await read(path)] as const)));
  }

  beforeAll(async () => {
    document = (await t.http.get('/docs-json').expect(200)).body;
    [a, b] = await Promise.all([createTenantCrew(t.http), createTenantCrew(t.http)]);

    projectA = await createProject(t.http, a.tenant.id, a.owner, { key: sharedKey, name: `Secret ${randomUUID()}` });
    firstA = await createTask(t.http, a.tenant.id, projectA.id, a.owner);
    labelA = await createLabel(t.http, a.tenant.id, a.owner, { name: `Secret ${randomUUID().slice(0, 8)}` });
    taskA = await createTask(t.http, a.tenant.id, projectA.id, a.member, {
      assigneeId: a.member.id,
      labelIds: [labelA.id],
      parentId: firstA.id,
    });
    commentA = await comment(a, a.member, taskA.id, `Secret ${randomUUID()}`);
    invitationA = await invite(t.http, a.tenant.id, a.owner, uniqueEmail('secret'), 'member');
    relationA = await relate(a, taskA.id, firstA.id);
    tokenA = await createApiToken(t.http, a.tenant.id, a.member, { name: `Secret ${randomUUID()}` });
    stateA = await addState(a, projectA.id, `Secret ${randomUUID().slice(0, 8)}`);

    projectB = await createProject(t.http, b.tenant.id, b.owner, { key: sharedKey });
    workB = await createProject(t.http, b.tenant.id, b.owner);
    taskB = await createTask(t.http, b.tenant.id, projectB.id, b.owner);
    workTaskB = await createTask(t.http, b.tenant.id, workB.id, b.member);
    commentB = await comment(b, b.owner, taskB.id, 'Hi');
    labelB = await createLabel(t.http, b.tenant.id, b.owner);
    invitationB = await invite(t.http, b.tenant.id, b.owner, uniqueEmail(), 'member');
    relationB = await relate(b, taskB.id, workTaskB.id);
    tokenB = await createApiToken(t.http, b.tenant.id, b.owner);
    ({ webhook: webhookA, delivery: deliveryA } = await webhookWithDelivery(a, `http://127.0.0.1:9/${randomUUID()}`));
    ({ webhook: webhookB, delivery: deliveryB } = await webhookWithDelivery(b, 'http://127.0.0.1:9/b'));
    stateB = await addState(b, projectB.id, 'Review');

    expect([firstA.key, taskA.key, taskB.key]).toEqual([`${sharedKey}-1`, `${sharedKey}-2`, `${sharedKey}-1`]);
    secretsOfA = [
      a.tenant.id,
      a.tenant.slug,
      a.tenant.name,
      projectA.id,
      projectA.name,
      firstA.id,
      taskA.id,
      taskA.key,
      commentA.id,
      commentA.body,
      labelA.id,
      labelA.name,
      invitationA.id,
      invitationA.email,
      relationA.id,
      stateA.id,
      stateA.name,
      tokenA.id,
      tokenA.name,
      tokenA.prefix,
      webhookA.id,
      webhookA.url,
      webhookA.secret,
      deliveryA.id,
      ...[a.owner, a.admin, a.member, a.viewer].flatMap((user) => [user.id, user.email]),
    ];
    snapshotBefore = await snapshotOfA();
  });

  describe('the OpenAPI-derived matrix', () => {
    it('knows a value of A for every id parameter and a body for every write of a tenant route', () => {
      for (const { method, path, operation } of operations(document)) {
        for (const name of parameterNames(operation, 'path').filter((name) => name !== 'tenantId'))
          foreignValues(name, path);
        for (const name of parameterNames(operation, 'query').filter((name) => name.endsWith('Id'))) {
          if (!queryParameters()[name])
            throw new Error(`${path}: no value of tenant A for ?${name}; add it to queryParameters`);
        }
        bodyOf(method, path, operation);
      }
    });

    it('answers B’s owner naming tenant A (with A’s ids) like a tenant that does not exist', async () => {
      const results: { actual: Outcome; wanted: Outcome }[] = [];
      for (const { method, path, operation } of operations(document)) {
        const others = parameterNames(operation, 'path').filter((name) => name !== 'tenantId');
        for (const values of combinations(others, (name) => foreignValues(name, path))) {
          const request = {
            method,
            path,
            body: bodyOf(method, path, operation),
            label: `in A with ${JSON.stringify(values.a)}`,
          };
          const tenant = {
            a: { ...values.a, tenantId: a.tenant.id },
            missing: { ...values.a, tenantId: randomUUID() },
          };
          results.push(await compare(b.owner, request, tenant, 404));
        }
      }
      expect(results.length).toBeGreaterThanOrEqual(41); // the routes of today: a smaller matrix lost some
      expect(results.map((result) => result.actual)).toEqual(results.map((result) => result.wanted));
    });

    it('answers B’s owner naming A’s resources in B like ids that do not exist', async () => {
      const results: { actual: Outcome; wanted: Outcome }[] = [];
      for (const { method, path, operation } of operations(document)) {
        const names = parameterNames(operation, 'path').filter((name) => name !== 'tenantId');
        for (const foreignNames of subsets(names)) {
          const ownNames = names.filter((name) => !foreignNames.includes(name));
          const own = Object.fromEntries(ownNames.map((name) => [name, ownValue(name, path)]));
          for (const values of combinations(foreignNames, (name) => foreignValues(name, path))) {
            const label = `in B with A’s ${JSON.stringify(values.a)}`;
            const request = { method, path, body: bodyOf(method, path, operation), label };
            const filled = {
              a: { ...own, ...values.a, tenantId: b.tenant.id },
              missing: { ...own, ...values.missing, tenantId: b.tenant.id },
            };
            results.push(await compare(b.owner, request, filled, 404));
          }
        }
      }
      expect(results.length).toBeGreaterThanOrEqual(39);
      expect(results.map((result) => result.actual)).toEqual(results.map((result) => result.wanted));
    });

    it('answers B’s lists filtered by A’s ids like lists filtered by ids that do not exist', async () => {
      const results: { actual: Outcome; wanted: Outcome }[] = [];
      for (const { method, path, operation } of operations(document)) {
        const own = Object.fromEntries(
          parameterNames(operation, 'path')
            .filter((name) => name !== 'tenantId')
            .map((name) => [name, ownValue(name, path)]),
        );
        for (const name of parameterNames(operation, 'query').filter((query) => query.endsWith('Id'))) {
          const foreign = queryParameters()[name];
          if (!foreign) throw new Error(`${path}: no value of tenant A for ?${name}`);
          const request = { method, path: `${path}?${name}={${name}}`, label: `in B filtered by A’s ${name}` };
          const values = {
            a: { ...own, [name]: foreign.a, tenantId: b.tenant.id },
            missing: { ...own, [name]: foreign.missing, tenantId: b.tenant.id },
          };
          results.push(await compare(b.owner, request, values, null));
        }
      }
      expect(results.length).toBeGreaterThanOrEqual(7);
      expect(results.map((result) => result.actual)).toEqual(results.map((result) => result.wanted));
    });
  });

  describe('task keys both tenants use', () => {
    it.each([
      { form: 'key', ref: () => `${sharedKey}-1` },
      { form: 'lower-case key', ref: () => `${sharedKey}-1`.toLowerCase() },
    ])('reads B’s own task through B by its $form, never A’s', async ({ ref }) => {
      const response = await call(b.owner, 'get', tenantPath(b, `/tasks/${ref()}`));
      expect(response).toMatchObject({ status: 200, body: { id: taskB.id, projectId: projectB.id }, leaks: [] });
      const comments = await call(b.owner, 'get', tenantPath(b, `/tasks/${ref()}/comments`));
      expect(comments).toMatchObject({ status: 200, body: { data: [{ id: commentB.id }] }, leaks: [] });
    });

    it('reads A’s task of the same key through A', async () => {
      const response = await t.http
        .get(tenantPath(a, `/tasks/${sharedKey}-1`))
        .set(a.owner.auth)
        .expect(200);
      expect(response.body).toMatchObject({ id: firstA.id, projectId: projectA.id });
    });
  });

  describe('references to A in the bodies of B’s writes', () => {
    const fields = ['status', 'type', 'title', 'detail', 'errors'];
    const problem = (body: unknown): Record<string, unknown> =>
      typeof body === 'object' && body !== null
        ? Object.fromEntries(Object.entries(body).filter(([key]) => fields.includes(key)))
        : { body };

    it.each([
      {
        field: 'assigneeId',
        method: 'post',
        write: 'create',
        foreign: () => ({ a: a.member.id, missing: randomUUID() }),
      },
      { field: 'labelIds', method: 'post', write: 'create', foreign: () => ({ a: labelA.id, missing: randomUUID() }) },
      { field: 'parentId', method: 'post', write: 'create', foreign: () => ({ a: firstA.id, missing: randomUUID() }) },
      {
        field: 'assigneeId',
        method: 'patch',
        write: 'update',
        foreign: () => ({ a: a.member.id, missing: randomUUID() }),
      },
      { field: 'labelIds', method: 'patch', write: 'update', foreign: () => ({ a: labelA.id, missing: randomUUID() }) },
      { field: 'parentId', method: 'patch', write: 'update', foreign: () => ({ a: firstA.id, missing: randomUUID() }) },
      {
        field: 'moveBefore',
        method: 'patch',
        write: 'update',
        foreign: () => ({ a: taskA.id, missing: randomUUID() }),
      },
      {
        field: 'moveBefore',
        method: 'patch',
        write: 'update',
        foreign: () => ({ a: taskA.key, missing: `${sharedKey}-99999` }),
      },
      { field: 'moveAfter', method: 'patch', write: 'update', foreign: () => ({ a: taskA.id, missing: randomUUID() }) },
      {
        field: 'moveAfter',
        method: 'patch',
        write: 'update',
        foreign: () => ({ a: taskA.key, missing: `${sharedKey}-99999` }),
      },
    ] as const)(
      'refuses to $write a task of B with A’s $field like a missing one',
      async ({ field, method, foreign }) => {
        const { a: ofA, missing } = foreign();
        const path =
          method === 'post' ? tenantPath(b, `/projects/${workB.id}/tasks`) : tenantPath(b, `/tasks/${workTaskB.id}`);
        const body = (value: string) => ({
          ...(method === 'post' ? { title: 'T' } : {}),
          [field]: field === 'labelIds' ? [value] : value,
        });
        const foreignAnswer = await call(b.member, method, path, body(ofA));
        const missingAnswer = await call(b.member, method, path, body(missing));
        expect(foreignAnswer.status).toBeGreaterThanOrEqual(400);
        expect({ ...problem(foreignAnswer.body), leaks: foreignAnswer.leaks }).toEqual({
          ...problem(missingAnswer.body),
          leaks: [],
        });
      },
    );

    it.each([() => taskA.id, () => taskA.key])(
      'refuses to relate B’s task to A’s task like a missing one',
      async (ofA) => {
        const path = tenantPath(b, `/tasks/${workTaskB.id}/relations`);
        const foreignAnswer = await call(b.member, 'post', path, { type: 'blocks', task: ofA() });
        const missingAnswer = await call(b.member, 'post', path, { type: 'blocks', task: `${sharedKey}-99999` });
        expect(foreignAnswer.status).toBe(400);
        expect({ ...problem(foreignAnswer.body), leaks: foreignAnswer.leaks }).toEqual({
          ...problem(missingAnswer.body),
          leaks: [],
        });
      },
    );

    it.each(['patch', 'delete'] as const)(
      'refuses to %s A’s comment through B’s task like a missing one',
      async (method) => {
        const own = await comment(b, b.member, workTaskB.key, 'Mine');
        const path = (commentId: string) => tenantPath(b, `/tasks/${workTaskB.key}/comments/${commentId}`);
        const body = method === 'patch' ? { body: 'Taken over' } : undefined;
        const foreignAnswer = await call(b.member, method, path(commentA.id), body);
        const missingAnswer = await call(b.member, method, path(randomUUID()), body);
        expect(foreignAnswer.status).toBe(404);
        expect({ ...problem(foreignAnswer.body), leaks: foreignAnswer.leaks }).toEqual({
          ...problem(missingAnswer.body),
          leaks: [],
        });
        // B's own comment on that task is still there: the refusal was about A's id, not the route.
        await t.http.get(path(own.id)).set(b.member.auth).expect(200);
      },
    );
  });

  describe('afterwards', () => {
    it('shows B’s lists without anything of A', async () => {
      const lists = ['/projects', '/tasks', '/labels', '/members', '/invitations'];
      const paths = [...lists, `/projects/${projectB.id}/tasks`, `/projects/${workB.id}/tasks`];
      const tasks = [taskB.id, workTaskB.id].flatMap((id) => [`/tasks/${id}/comments`, `/tasks/${id}/activity`]);
      for (const path of [...paths, ...tasks]) {
        expect({ path, ...(await call(b.owner, 'get', tenantPath(b, path))) }).toMatchObject({
          path,
          status: 200,
          leaks: [],
        });
      }
    });

    it('leaves all of A as it was', async () => {
      expect(await snapshotOfA()).toEqual(snapshotBefore);
    });
  });
});
