import { useTestApp } from '../../support/test-app.js';
import { uniqueEmail } from '../../factories/users.js';
import { createTenantCrew, invite, type TenantCrew } from '../../factories/tenants.js';
import { built } from '../../support/built.js';

// The app's own entity classes (see built.ts).
const [{ Membership }, { TENANT_FILTER }] = await Promise.all([
  built('./modules/tenants/entities/membership.entity.js'),
  built('./modules/tenants/entities/tenant-scoped.entity.js'),
]);

describe('tenant isolation', () => {
  const t = useTestApp();
  let a: TenantCrew;
  let b: TenantCrew;
  let invitationOfA: string;
  beforeAll(async () => {
    [a, b] = await Promise.all([createTenantCrew(t.http), createTenantCrew(t.http)]);
    invitationOfA = (await invite(t.http, a.tenant.id, a.owner, uniqueEmail(), 'member')).id;
  });

  /** Nothing that identifies tenant A may appear in what B's owner is shown. */
  const expectNothingOfA = (body: unknown) => {
    const text = JSON.stringify(body);
    for (const secret of [a.tenant.id, a.tenant.slug, a.owner.id, a.member.id, invitationOfA])
      expect(text).not.toContain(secret);
  };

  it.each([
    { method: 'get', what: 'tenant A', path: () => `/api/v1/tenants/${a.tenant.id}` },
    { method: 'patch', what: 'tenant A', path: () => `/api/v1/tenants/${a.tenant.id}`, body: { name: 'Taken over' } },
    { method: 'delete', what: 'tenant A', path: () => `/api/v1/tenants/${a.tenant.id}` },
    { method: 'get', what: 'A’s members', path: () => `/api/v1/tenants/${a.tenant.id}/members` },
    { method: 'get', what: 'A’s invitations', path: () => `/api/v1/tenants/${a.tenant.id}/invitations` },
    {
      method: 'patch',
      what: 'a member of A via B',
      path: () => `/api/v1/tenants/${b.tenant.id}/members/${a.member.id}`,
      body: { role: 'viewer' },
    },
    {
      method: 'delete',
      what: 'a member of A via B',
      path: () => `/api/v1/tenants/${b.tenant.id}/members/${a.member.id}`,
    },
    {
      method: 'get',
      what: 'an invitation of A via B',
      path: () => `/api/v1/tenants/${b.tenant.id}/invitations/${invitationOfA}`,
    },
    {
      method: 'delete',
      what: 'an invitation of A via B',
      path: () => `/api/v1/tenants/${b.tenant.id}/invitations/${invitationOfA}`,
    },
  ] as const)('$method $what as B’s owner → 404', async (row) => {
    const response = await t.http[row.method](row.path())
      .set(b.owner.auth)
      .send('body' in row ? row.body : undefined);
    expect(response.status).toBe(404);
    expectNothingOfA(response.body);
  });

  it('answers a tenant that does not exist exactly like one the caller is not in', async () => {
    const foreign = await t.http.get(`/api/v1/tenants/${a.tenant.id}`).set(b.owner.auth).expect(404);
    const missing = await t.http
      .get('/api/v1/tenants/0190c7a4-0000-7000-8000-000000000000')
      .set(b.owner.auth)
      .expect(404);
    expect({ ...foreign.body, requestId: null }).toEqual({ ...missing.body, requestId: null });
  });

  it('shows B’s lists without anything of A', async () => {
    for (const path of ['members', 'invitations']) {
      expectNothingOfA((await t.http.get(`/api/v1/tenants/${b.tenant.id}/${path}`).set(b.owner.auth).expect(200)).body);
    }
    expectNothingOfA((await t.http.get('/api/v1/tenants').set(b.owner.auth).expect(200)).body);
  });

  it('refuses to query tenant data without a tenant', async () => {
    const em = t.orm.em.fork();
    await expect(em.find(Membership, {})).rejects.toThrow(`No arguments provided for filter '${TENANT_FILTER}'`);
    await expect(em.nativeUpdate(Membership, {}, { role: 'viewer' })).rejects.toThrow(TENANT_FILTER);
  });

  it('puts every entity with a tenant under the tenant filter, with a non-null tenant_id', () => {
    const entities = [...t.orm.getMetadata().getAll().values()].filter((meta) => meta.properties.tenant);
    expect(entities.map((meta) => meta.className)).toEqual(expect.arrayContaining(['Membership', 'Invitation']));
    for (const meta of entities) {
      expect({
        entity: meta.className,
        filter: meta.filters[TENANT_FILTER]?.default,
        nullable: meta.properties.tenant?.nullable ?? false,
      }).toEqual({ entity: meta.className, filter: true, nullable: false });
    }
  });
});
