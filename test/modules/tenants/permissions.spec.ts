import type { OpenAPIObject } from '@nestjs/swagger';
import type TestAgent from 'supertest/lib/agent.js';
import { hangUpOnEventStream } from '../../support/event-stream.js';
import { useTestApp } from '../../support/test-app.js';
import { uniqueEmail } from '../../factories/users.js';
import {
  createLabel,
  createProject,
  createTask,
  uniqueProjectKey,
  type CreatedProject,
} from '../../factories/projects.js';
import { addMember, createTenantCrew, invite, type Role, type TenantCrew } from '../../factories/tenants.js';
import { createApiToken, type Scope } from '../../factories/api-tokens.js';
import { createWebhook } from '../../factories/webhooks.js';
import type { AuthHeader } from '../../factories/users.js';

/** `token:<scope>`: an API token of the tenant's owner, so only its scope limits it. */
type TokenCaller = `token:${Scope}`;
type Caller = Role | 'outsider' | 'anonymous' | TokenCaller;
const CALLERS: Caller[] = [
  'owner',
  'admin',
  'member',
  'viewer',
  'outsider',
  'anonymous',
  'token:read',
  'token:write',
  'token:admin',
];
const RANK: Record<Role, number> = { owner: 3, admin: 2, member: 1, viewer: 0 };
const SCOPE_RANK: Record<string, number> = { read: 0, write: 1, admin: 2 };
const TOKEN_SCOPE: Record<TokenCaller, Scope> = {
  'token:read': 'read',
  'token:write': 'write',
  'token:admin': 'admin',
};

interface RouteCase {
  minimum: Role;
  success: number;
  /** The route changes the tenant itself: each cell gets a tenant of its own. */
  ownTenant?: boolean;
  /** Builds a valid request for any caller allowed to make it. */
  request: (
    crew: TenantCrew,
    http: TestAgent,
  ) => { path: string; body?: object } | Promise<{ path: string; body?: object }>;
}

const base = (crew: TenantCrew) => `/api/v1/tenants/${crew.tenant.id}`;

/** One project per tenant for the cells that need one. */
const projects = new WeakMap<TenantCrew, Promise<CreatedProject>>();
function projectOf(crew: TenantCrew, http: TestAgent): Promise<CreatedProject> {
  let project = projects.get(crew);
  if (!project) projects.set(crew, (project = createProject(http, crew.tenant.id, crew.owner)));
  return project;
}

/** A fresh task for one cell, reported by the tenant's owner (a member deleting it needs admin). */
async function taskPath(crew: TenantCrew, http: TestAgent): Promise<string> {
  const project = await projectOf(crew, http);
  return `${base(crew)}/tasks/${(await createTask(http, crew.tenant.id, project.id, crew.owner)).key}`;
}

async function commentPath(crew: TenantCrew, http: TestAgent): Promise<string> {
  const task = await taskPath(crew, http);
  const comment = await http.post(`${task}/comments`).set(crew.owner.auth).send({ body: 'Hi' }).expect(201);
  return `${task}/comments/${comment.body.id}`;
}

/** A fresh `relates_to` relation between two fresh tasks, by the path of the first. */
async function relationPath(crew: TenantCrew, http: TestAgent): Promise<string> {
  const [task, other] = [await taskPath(crew, http), await taskPath(crew, http)];
  const relation = await http
    .post(`${task}/relations`)
    .set(crew.owner.auth)
    .send({ type: 'relates_to', task: other.split('/').pop() })
    .expect(201);
  return `${task}/relations/${relation.body.id}`;
}

/** A fresh workflow state (of category `started`) in a fresh project, by its path. */
async function statePath(crew: TenantCrew, http: TestAgent): Promise<string> {
  const states = `${base(crew)}/projects/${(await createProject(http, crew.tenant.id, crew.owner)).id}/states`;
  const state = await http
    .post(states)
    .set(crew.owner.auth)
    .send({ key: 'qa', name: 'QA', category: 'started' })
    .expect(201);
  return `${states}/${state.body.id}`;
}

const labelPath = async (crew: TenantCrew, http: TestAgent) =>
  `${base(crew)}/labels/${(await createLabel(http, crew.tenant.id, crew.owner)).id}`;

/** A fresh webhook of the tenant's owner, by its path. */
async function webhookPath(crew: TenantCrew, http: TestAgent): Promise<string> {
  return `${base(crew)}/webhooks/${(await createWebhook(http, crew.tenant.id, crew.owner)).id}`;
}

/** A fresh delivery (a ping, queued), by its path. */
async function deliveryPath(crew: TenantCrew, http: TestAgent): Promise<string> {
  const webhook = await webhookPath(crew, http);
  const ping = await http.post(`${webhook}/ping`).set(crew.owner.auth).expect(202);
  return `${webhook}/deliveries/${ping.body.id}`;
}

/** Every route under /tenants/{tenantId}; the last test fails when one is missing here. */
const ROUTES: Record<string, RouteCase> = {
  'GET /api/v1/tenants/{tenantId}': { minimum: 'viewer', success: 200, request: (c) => ({ path: base(c) }) },
  'PATCH /api/v1/tenants/{tenantId}': {
    minimum: 'admin',
    success: 200,
    request: (c) => ({ path: base(c), body: { name: 'Renamed' } }),
  },
  'DELETE /api/v1/tenants/{tenantId}': {
    minimum: 'owner',
    success: 204,
    ownTenant: true,
    request: (c) => ({ path: base(c) }),
  },
  'GET /api/v1/tenants/{tenantId}/events': {
    minimum: 'viewer',
    success: 200,
    request: (c) => ({ path: `${base(c)}/events` }),
  },
  'GET /api/v1/tenants/{tenantId}/events/stream': {
    minimum: 'viewer',
    success: 200,
    request: (c) => ({ path: `${base(c)}/events/stream` }),
  },
  'GET /api/v1/tenants/{tenantId}/members': {
    minimum: 'viewer',
    success: 200,
    request: (c) => ({ path: `${base(c)}/members` }),
  },
  'PATCH /api/v1/tenants/{tenantId}/members/{userId}': {
    minimum: 'admin',
    success: 200,
    request: async (c, http) => {
      const target = await addMember(http, c.tenant.id, c.owner, 'viewer');
      return { path: `${base(c)}/members/${target.id}`, body: { role: 'member' } };
    },
  },
  'DELETE /api/v1/tenants/{tenantId}/members/{userId}': {
    minimum: 'admin',
    success: 204,
    request: async (c, http) => {
      const target = await addMember(http, c.tenant.id, c.owner, 'viewer');
      return { path: `${base(c)}/members/${target.id}` };
    },
  },
  'POST /api/v1/tenants/{tenantId}/invitations': {
    minimum: 'admin',
    success: 201,
    request: (c) => ({ path: `${base(c)}/invitations`, body: { email: uniqueEmail(), role: 'member' } }),
  },
  'GET /api/v1/tenants/{tenantId}/invitations': {
    minimum: 'admin',
    success: 200,
    request: (c) => ({ path: `${base(c)}/invitations` }),
  },
  'GET /api/v1/tenants/{tenantId}/invitations/{invitationId}': {
    minimum: 'admin',
    success: 200,
    request: async (c, http) => {
      const invitation = await invite(http, c.tenant.id, c.owner, uniqueEmail(), 'viewer');
      return { path: `${base(c)}/invitations/${invitation.id}` };
    },
  },
  'DELETE /api/v1/tenants/{tenantId}/invitations/{invitationId}': {
    minimum: 'admin',
    success: 204,
    request: async (c, http) => {
      const invitation = await invite(http, c.tenant.id, c.owner, uniqueEmail(), 'viewer');
      return { path: `${base(c)}/invitations/${invitation.id}` };
    },
  },
  'POST /api/v1/tenants/{tenantId}/projects': {
    minimum: 'admin',
    success: 201,
    request: (c) => ({ path: `${base(c)}/projects`, body: { name: 'P', key: uniqueProjectKey() } }),
  },
  'GET /api/v1/tenants/{tenantId}/projects': {
    minimum: 'viewer',
    success: 200,
    request: (c) => ({ path: `${base(c)}/projects` }),
  },
  'GET /api/v1/tenants/{tenantId}/projects/{projectId}': {
    minimum: 'viewer',
    success: 200,
    request: async (c, http) => ({
      path: `${base(c)}/projects/${(await createProject(http, c.tenant.id, c.owner)).id}`,
    }),
  },
  'PATCH /api/v1/tenants/{tenantId}/projects/{projectId}': {
    minimum: 'admin',
    success: 200,
    request: async (c, http) => ({
      path: `${base(c)}/projects/${(await createProject(http, c.tenant.id, c.owner)).id}`,
      body: { name: 'Renamed' },
    }),
  },
  'DELETE /api/v1/tenants/{tenantId}/projects/{projectId}': {
    minimum: 'admin',
    success: 204,
    request: async (c, http) => ({
      path: `${base(c)}/projects/${(await createProject(http, c.tenant.id, c.owner)).id}`,
    }),
  },
  'GET /api/v1/tenants/{tenantId}/projects/{projectId}/states': {
    minimum: 'viewer',
    success: 200,
    request: async (c, http) => ({ path: `${base(c)}/projects/${(await projectOf(c, http)).id}/states` }),
  },
  'POST /api/v1/tenants/{tenantId}/projects/{projectId}/states': {
    minimum: 'admin',
    success: 201,
    request: async (c, http) => ({
      path: `${base(c)}/projects/${(await createProject(http, c.tenant.id, c.owner)).id}/states`,
      body: { key: 'qa', name: 'QA', category: 'started' },
    }),
  },
  'PATCH /api/v1/tenants/{tenantId}/projects/{projectId}/states/{stateId}': {
    minimum: 'admin',
    success: 200,
    request: async (c, http) => ({ path: await statePath(c, http), body: { name: 'Renamed' } }),
  },
  'DELETE /api/v1/tenants/{tenantId}/projects/{projectId}/states/{stateId}': {
    minimum: 'admin',
    success: 204,
    request: async (c, http) => ({ path: await statePath(c, http) }),
  },
  'POST /api/v1/tenants/{tenantId}/projects/{projectId}/tasks': {
    minimum: 'member',
    success: 201,
    request: async (c, http) => ({
      path: `${base(c)}/projects/${(await projectOf(c, http)).id}/tasks`,
      body: { title: 'T' },
    }),
  },
  'GET /api/v1/tenants/{tenantId}/projects/{projectId}/tasks': {
    minimum: 'viewer',
    success: 200,
    request: async (c, http) => ({ path: `${base(c)}/projects/${(await projectOf(c, http)).id}/tasks` }),
  },
  'GET /api/v1/tenants/{tenantId}/tasks': {
    minimum: 'viewer',
    success: 200,
    request: (c) => ({ path: `${base(c)}/tasks` }),
  },
  'GET /api/v1/tenants/{tenantId}/tasks/{taskRef}': {
    minimum: 'viewer',
    success: 200,
    request: async (c, http) => ({ path: await taskPath(c, http) }),
  },
  'PATCH /api/v1/tenants/{tenantId}/tasks/{taskRef}': {
    minimum: 'member',
    success: 200,
    request: async (c, http) => ({ path: await taskPath(c, http), body: { priority: 'high' } }),
  },
  'DELETE /api/v1/tenants/{tenantId}/tasks/{taskRef}': {
    minimum: 'admin', // members delete only their own tasks: this one is the owner's
    success: 204,
    request: async (c, http) => ({ path: await taskPath(c, http) }),
  },
  'GET /api/v1/tenants/{tenantId}/tasks/{taskRef}/activity': {
    minimum: 'viewer',
    success: 200,
    request: async (c, http) => ({ path: `${await taskPath(c, http)}/activity` }),
  },
  'POST /api/v1/tenants/{tenantId}/tasks/{taskRef}/comments': {
    minimum: 'member',
    success: 201,
    request: async (c, http) => ({ path: `${await taskPath(c, http)}/comments`, body: { body: 'Hello' } }),
  },
  'GET /api/v1/tenants/{tenantId}/tasks/{taskRef}/comments': {
    minimum: 'viewer',
    success: 200,
    request: async (c, http) => ({ path: `${await taskPath(c, http)}/comments` }),
  },
  'GET /api/v1/tenants/{tenantId}/tasks/{taskRef}/comments/{commentId}': {
    minimum: 'viewer',
    success: 200,
    request: async (c, http) => ({ path: await commentPath(c, http) }),
  },
  'PATCH /api/v1/tenants/{tenantId}/tasks/{taskRef}/comments/{commentId}': {
    minimum: 'owner', // only the author edits: the comment is the owner's
    success: 200,
    request: async (c, http) => ({ path: await commentPath(c, http), body: { body: 'Edited' } }),
  },
  'DELETE /api/v1/tenants/{tenantId}/tasks/{taskRef}/comments/{commentId}': {
    minimum: 'admin', // the author, or an admin
    success: 204,
    request: async (c, http) => ({ path: await commentPath(c, http) }),
  },
  'POST /api/v1/tenants/{tenantId}/tasks/bulk': {
    minimum: 'member',
    success: 200,
    request: async (c, http) => ({
      path: `${base(c)}/tasks/bulk`,
      body: { tasks: [(await taskPath(c, http)).split('/').pop()], set: { priority: 'high' } },
    }),
  },
  'POST /api/v1/tenants/{tenantId}/tasks/{taskRef}/relations': {
    minimum: 'member',
    success: 201,
    request: async (c, http) => {
      const other = await taskPath(c, http);
      return { path: `${await taskPath(c, http)}/relations`, body: { type: 'blocks', task: other.split('/').pop() } };
    },
  },
  'GET /api/v1/tenants/{tenantId}/tasks/{taskRef}/relations': {
    minimum: 'viewer',
    success: 200,
    request: async (c, http) => ({ path: `${await taskPath(c, http)}/relations` }),
  },
  'GET /api/v1/tenants/{tenantId}/tasks/{taskRef}/relations/{relationId}': {
    minimum: 'viewer',
    success: 200,
    request: async (c, http) => ({ path: await relationPath(c, http) }),
  },
  'DELETE /api/v1/tenants/{tenantId}/tasks/{taskRef}/relations/{relationId}': {
    minimum: 'member',
    success: 204,
    request: async (c, http) => ({ path: await relationPath(c, http) }),
  },
  'POST /api/v1/tenants/{tenantId}/labels': {
    minimum: 'member',
    success: 201,
    request: (c) => ({ path: `${base(c)}/labels`, body: { name: `L ${uniqueProjectKey()}`, color: '#aabbcc' } }),
  },
  'GET /api/v1/tenants/{tenantId}/labels': {
    minimum: 'viewer',
    success: 200,
    request: (c) => ({ path: `${base(c)}/labels` }),
  },
  'GET /api/v1/tenants/{tenantId}/labels/{labelId}': {
    minimum: 'viewer',
    success: 200,
    request: async (c, http) => ({ path: await labelPath(c, http) }),
  },
  'PATCH /api/v1/tenants/{tenantId}/labels/{labelId}': {
    minimum: 'member',
    success: 200,
    request: async (c, http) => ({ path: await labelPath(c, http), body: { color: '#000000' } }),
  },
  'DELETE /api/v1/tenants/{tenantId}/labels/{labelId}': {
    minimum: 'member',
    success: 204,
    request: async (c, http) => ({ path: await labelPath(c, http) }),
  },
  'POST /api/v1/tenants/{tenantId}/api-tokens': {
    minimum: 'member',
    success: 201,
    request: (c) => ({ path: `${base(c)}/api-tokens`, body: { name: 'Bot', scopes: ['read'] } }),
  },
  'GET /api/v1/tenants/{tenantId}/api-tokens': {
    minimum: 'member',
    success: 200,
    request: (c) => ({ path: `${base(c)}/api-tokens` }),
  },
  'DELETE /api/v1/tenants/{tenantId}/api-tokens/{tokenId}': {
    minimum: 'admin', // its creator, or an admin: the token is the owner's
    success: 204,
    request: async (c, http) => ({
      path: `${base(c)}/api-tokens/${(await createApiToken(http, c.tenant.id, c.owner)).id}`,
    }),
  },
  'POST /api/v1/tenants/{tenantId}/webhooks': {
    minimum: 'admin',
    success: 201,
    request: (c) => ({ path: `${base(c)}/webhooks`, body: { url: 'http://127.0.0.1:9/', events: ['task.*'] } }),
  },
  'GET /api/v1/tenants/{tenantId}/webhooks': {
    minimum: 'admin',
    success: 200,
    request: (c) => ({ path: `${base(c)}/webhooks` }),
  },
  'GET /api/v1/tenants/{tenantId}/webhooks/{webhookId}': {
    minimum: 'admin',
    success: 200,
    request: async (c, http) => ({ path: await webhookPath(c, http) }),
  },
  'PATCH /api/v1/tenants/{tenantId}/webhooks/{webhookId}': {
    minimum: 'admin',
    success: 200,
    request: async (c, http) => ({ path: await webhookPath(c, http), body: { events: ['project.*'] } }),
  },
  'DELETE /api/v1/tenants/{tenantId}/webhooks/{webhookId}': {
    minimum: 'admin',
    success: 204,
    request: async (c, http) => ({ path: await webhookPath(c, http) }),
  },
  'POST /api/v1/tenants/{tenantId}/webhooks/{webhookId}/rotate-secret': {
    minimum: 'admin',
    success: 200,
    request: async (c, http) => ({ path: `${await webhookPath(c, http)}/rotate-secret` }),
  },
  'POST /api/v1/tenants/{tenantId}/webhooks/{webhookId}/ping': {
    minimum: 'admin',
    success: 202,
    request: async (c, http) => ({ path: `${await webhookPath(c, http)}/ping` }),
  },
  'GET /api/v1/tenants/{tenantId}/webhooks/{webhookId}/deliveries': {
    minimum: 'admin',
    success: 200,
    request: async (c, http) => ({ path: `${await webhookPath(c, http)}/deliveries` }),
  },
  'POST /api/v1/tenants/{tenantId}/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver': {
    minimum: 'admin',
    success: 202,
    request: async (c, http) => ({ path: `${await deliveryPath(c, http)}/redeliver` }),
  },
};

/** The scope a token needs for each operation, as the OpenAPI document states it (`none`: tokens refused). */
const tokenScopes = new Map<string, unknown>();

function isTokenCaller(caller: Caller): caller is TokenCaller {
  return caller.startsWith('token:');
}

/** One token per tenant and scope, of the tenant's owner. */
const tokens = new Map<string, Promise<AuthHeader>>();
function tokenOf(crew: TenantCrew, http: TestAgent, caller: TokenCaller): Promise<AuthHeader> {
  const key = `${crew.tenant.id} ${caller}`;
  let auth = tokens.get(key);
  if (!auth) {
    auth = createApiToken(http, crew.tenant.id, crew.owner, { scopes: [TOKEN_SCOPE[caller]] }).then(
      (token) => token.auth,
    );
    tokens.set(key, auth);
  }
  return auth;
}

function expectedStatus(route: RouteCase, caller: Caller, operation: string): number {
  if (isTokenCaller(caller)) {
    const needed = tokenScopes.get(operation);
    if (typeof needed !== 'string' || !(needed in SCOPE_RANK)) return 403;
    return (SCOPE_RANK[TOKEN_SCOPE[caller]] ?? -1) >= (SCOPE_RANK[needed] ?? 3) ? route.success : 403;
  }
  if (caller === 'anonymous') return 401;
  if (caller === 'outsider') return 404; // the same answer as for a tenant that does not exist
  return RANK[caller] >= RANK[route.minimum] ? route.success : 403;
}

const cells = Object.entries(ROUTES).flatMap(([route, routeCase]) =>
  CALLERS.map((caller) => [route, caller, routeCase] as const),
);

describe('tenant route permissions', () => {
  const t = useTestApp();
  // One tenant for every cell that leaves it standing: each cell creates its own target.
  let shared: TenantCrew;
  beforeAll(async () => {
    shared = await createTenantCrew(t.http);
    const document: OpenAPIObject = (await t.http.get('/docs-json').expect(200)).body;
    for (const [path, item] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(item))
        tokenScopes.set(`${method.toUpperCase()} ${path}`, Reflect.get(operation, 'x-token-scope'));
  });

  it.each(cells)('%s as %s', async (route, caller, routeCase) => {
    const expected = expectedStatus(routeCase, caller, route);
    const crew = routeCase.ownTenant ? await createTenantCrew(t.http) : shared;
    const { path, body } = await routeCase.request(crew, t.http);
    const method = route.split(' ')[0]?.toLowerCase();
    if (method !== 'get' && method !== 'post' && method !== 'patch' && method !== 'delete') throw new Error(route);

    let request = hangUpOnEventStream(t.http[method](path), path);
    if (isTokenCaller(caller)) request = request.set(await tokenOf(crew, t.http, caller));
    else if (caller !== 'anonymous') request = request.set(crew[caller].auth);
    const response = await request.send(body);
    expect(response.status).toBe(expected);
  });

  it('covers every route under /tenants/{tenantId}', async () => {
    const document: OpenAPIObject = (await t.http.get('/docs-json').expect(200)).body;
    const documented = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/v1/tenants/{tenantId}'))
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(Object.keys(ROUTES).sort());
  });
});
