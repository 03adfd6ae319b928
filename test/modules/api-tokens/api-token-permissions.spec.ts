import { createApiToken, type Scope } from '../../factories/api-tokens.js';
import { addMember, createTenant, createTenantCrew, type Role, type TenantCrew } from '../../factories/tenants.js';
import { registerUser } from '../../factories/users.js';
import { useTestApp } from '../../support/test-app.js';

const ROLE_RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };
const SCOPE_RANK: Record<Scope, number> = { read: 0, write: 1, admin: 2 };

/** One route per kind of right: a read, a write, an admin change. */
const ROUTES = [
  { name: 'GET tasks', role: 'viewer', scope: 'read', success: 200 },
  { name: 'POST labels', role: 'member', scope: 'write', success: 201 },
  { name: 'PATCH tenant', role: 'admin', scope: 'admin', success: 200 },
] as const;

describe('API token rights: scopes ∩ the creator’s current role', () => {
  const t = useTestApp();
  let crew: TenantCrew;
  beforeAll(async () => {
    crew = await createTenantCrew(t.http);
  });

  const call = (route: (typeof ROUTES)[number], auth: { Authorization: string }) => {
    const tenant = `/api/v1/tenants/${crew.tenant.id}`;
    if (route.name === 'GET tasks') return t.http.get(`${tenant}/tasks`).set(auth);
    if (route.name === 'POST labels')
      return t.http
        .post(`${tenant}/labels`)
        .set(auth)
        .send({ name: `L ${Math.random()}`, color: '#112233' });
    return t.http.patch(tenant).set(auth).send({ name: 'Renamed' });
  };

  const cells = (['owner', 'admin', 'member', 'viewer'] as const).flatMap((role) =>
    (['read', 'write', 'admin'] as const).map((scope) => [role, scope] as const),
  );

  it.each(cells)('a %s’s token with scope %s', async (role, scope) => {
    // Viewers cannot create tokens: theirs are made as members, then demoted.
    const auth =
      role === 'viewer'
        ? await viewerToken(scope)
        : (await createApiToken(t.http, crew.tenant.id, crew[role], { scopes: [scope] })).auth;
    for (const route of ROUTES) {
      const allowed = ROLE_RANK[role] >= ROLE_RANK[route.role] && SCOPE_RANK[scope] >= SCOPE_RANK[route.scope];
      const response = await call(route, auth);
      expect({ route: route.name, status: response.status }).toEqual({
        route: route.name,
        status: allowed ? route.success : 403,
      });
    }
  });

  /** A token of a member demoted to viewer: demotion narrows it at once. */
  async function viewerToken(scope: Scope) {
    const tenant = `/api/v1/tenants/${crew.tenant.id}`;
    const user = await addMember(t.http, crew.tenant.id, crew.owner, 'member');
    const token = await createApiToken(t.http, crew.tenant.id, user, { scopes: [scope] });
    await t.http.patch(`${tenant}/members/${user.id}`).set(crew.owner.auth).send({ role: 'viewer' }).expect(200);
    return token.auth;
  }

  it('narrows at once when the creator is demoted, and widens back on promotion', async () => {
    const tenant = `/api/v1/tenants/${crew.tenant.id}`;
    const admin = await addMember(t.http, crew.tenant.id, crew.owner, 'admin');
    const token = await createApiToken(t.http, crew.tenant.id, admin, { scopes: ['admin'] });
    await t.http.patch(tenant).set(token.auth).send({ name: 'By token' }).expect(200);
    await t.http.patch(`${tenant}/members/${admin.id}`).set(crew.owner.auth).send({ role: 'member' }).expect(200);
    const refused = await t.http.patch(tenant).set(token.auth).send({ name: 'Again' }).expect(403);
    expect(refused.body.type).toBe('urn:yello:problem:insufficient-role');
    await t.http.get(`${tenant}/tasks`).set(token.auth).expect(200);
    await t.http.patch(`${tenant}/members/${admin.id}`).set(crew.owner.auth).send({ role: 'admin' }).expect(200);
    await t.http.patch(tenant).set(token.auth).send({ name: 'Again' }).expect(200);
  });

  it('is revoked with its creator’s membership, in the same transaction', async () => {
    const tenant = `/api/v1/tenants/${crew.tenant.id}`;
    const member = await addMember(t.http, crew.tenant.id, crew.owner, 'member');
    const token = await createApiToken(t.http, crew.tenant.id, member);
    await t.http.get(`${tenant}/tasks`).set(token.auth).expect(200);
    await t.http.delete(`${tenant}/members/${member.id}`).set(crew.owner.auth).expect(204);
    const refused = await t.http.get(`${tenant}/tasks`).set(token.auth).expect(401);
    expect(refused.headers['www-authenticate']).toContain('error="invalid_token"');
    const rows = await t.orm.em.getConnection().execute('select id from api_tokens where id = ?', [token.id]);
    expect(rows).toEqual([]);
    // Joining again does not bring the token back.
    await addMember(t.http, crew.tenant.id, crew.owner, 'member');
    await t.http.get(`${tenant}/tasks`).set(token.auth).expect(401);
  });

  it('lets none of 100 concurrent requests through after its revocation', async () => {
    const tenant = `/api/v1/tenants/${crew.tenant.id}`;
    const token = await createApiToken(t.http, crew.tenant.id, crew.member);
    await t.http.get(`${tenant}/tasks`).set(token.auth).expect(200);
    await t.http.delete(`${tenant}/api-tokens/${token.id}`).set(crew.member.auth).expect(204);
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => t.http.get(`${tenant}/tasks`).set(token.auth)),
    );
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 100 }, () => 401));
  });
});

describe('API token limits', () => {
  const t = useTestApp({ RATE_LIMIT_INVALID_TOKENS_PER_MINUTE: '3', RATE_LIMIT_PER_MINUTE: '6', TRUST_PROXY: 'true' });

  const ownTenant = async () => {
    const owner = await registerUser(t.http);
    return { owner, tenant: await createTenant(t.http, owner) };
  };

  it('counts refused tokens toward the invalid-token limit of the client', async () => {
    const { owner, tenant } = await ownTenant();
    const token = await createApiToken(t.http, tenant.id, owner);
    await t.http.delete(`/api/v1/tenants/${tenant.id}/api-tokens/${token.id}`).set(owner.auth).expect(204);
    const tasks = () =>
      t.http.get(`/api/v1/tenants/${tenant.id}/tasks`).set('X-Forwarded-For', '192.0.2.40').set(token.auth);
    for (let i = 0; i < 3; i++) await tasks().expect(401);
    await tasks().expect(429);
  });

  it('limits requests per token, apart from its creator’s own budget', async () => {
    const { owner, tenant } = await ownTenant();
    const token = await createApiToken(t.http, tenant.id, owner);
    const tasks = (auth: { Authorization: string }) => t.http.get(`/api/v1/tenants/${tenant.id}/tasks`).set(auth);
    for (let i = 0; i < 6; i++) await tasks(token.auth).expect(200);
    await tasks(token.auth).expect(429);
    await tasks(owner.auth).expect(200);
  });
});
