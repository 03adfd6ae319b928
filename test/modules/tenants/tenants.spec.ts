import { useTestApp } from '../../support/test-app.js';
import { registerUser } from '../../factories/users.js';
import { addMember, createTenant, createTenantCrew, invite } from '../../factories/tenants.js';

describe('tenants', () => {
  const t = useTestApp();

  describe('POST /tenants', () => {
    it('creates a tenant owned by the caller', async () => {
      const owner = await registerUser(t.http);
      const response = await t.http
        .post('/api/v1/tenants')
        .set(owner.auth)
        .send({ name: 'Acme Robotics', slug: 'acme-robotics' })
        .expect(201);

      expect(response.headers.location).toBe(`/api/v1/tenants/${response.body.id}`);
      expect(response.body).toEqual({
        id: expect.any(String),
        name: 'Acme Robotics',
        slug: 'acme-robotics',
        role: 'owner',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });

    it('derives the slug from the name, and varies it when taken', async () => {
      const owner = await registerUser(t.http);
      const first = await createTenant(t.http, owner, { name: 'Café Zürich & Co.' });
      const second = await createTenant(t.http, owner, { name: 'Café Zürich & Co.' });
      expect(first.slug).toBe('cafe-zurich-co');
      expect(second.slug).toMatch(/^cafe-zurich-co-[0-9a-f]{6}$/);
    });

    it('refuses a slug that is taken', async () => {
      const owner = await registerUser(t.http);
      await createTenant(t.http, owner, { slug: 'taken-slug' });
      const response = await t.http
        .post('/api/v1/tenants')
        .set(owner.auth)
        .send({ name: 'Other', slug: 'taken-slug' })
        .expect(409);
      expect(response.body.type).toBe('urn:yello:problem:slug-taken');
    });

    it.each([['Upper-Case'], ['ab'], ['double--dash'], ['-leading'], ['x'.repeat(41)], ['spaces here']])(
      'refuses the slug %j',
      async (slug) => {
        const owner = await registerUser(t.http);
        await t.http.post('/api/v1/tenants').set(owner.auth).send({ name: 'Name', slug }).expect(400);
      },
    );
  });

  describe('GET /tenants', () => {
    it('lists the caller’s tenants with the caller’s role, paginated', async () => {
      const user = await registerUser(t.http);
      const other = await registerUser(t.http);
      const own = await createTenant(t.http, user);
      const foreign = await createTenant(t.http, other);
      await addMember(t.http, foreign.id, other, 'viewer'); // someone else: not the user
      const joinedToken = await invite(t.http, foreign.id, other, user.email, 'member');
      await t.http.post('/api/v1/invitations/accept').set(user.auth).send({ token: joinedToken.token }).expect(201);
      await createTenant(t.http, other); // not the user's

      const first = await t.http.get('/api/v1/tenants').query({ limit: 1 }).set(user.auth).expect(200);
      expect(first.body.data).toEqual([expect.objectContaining({ id: foreign.id, role: 'member' })]);
      const second = await t.http
        .get('/api/v1/tenants')
        .query({ limit: 1, cursor: first.body.nextCursor })
        .set(user.auth)
        .expect(200);
      expect(second.body).toEqual({ data: [expect.objectContaining({ id: own.id, role: 'owner' })], nextCursor: null });
    });

    it('refuses a cursor of another list', async () => {
      const user = await registerUser(t.http);
      await createTenant(t.http, user);
      const tenant = await createTenant(t.http, user);
      await addMember(t.http, tenant.id, user, 'viewer');
      const members = await t.http
        .get(`/api/v1/tenants/${tenant.id}/members`)
        .query({ limit: 1 })
        .set(user.auth)
        .expect(200);
      await t.http.get('/api/v1/tenants').query({ cursor: members.body.nextCursor }).set(user.auth).expect(400);
    });
  });

  describe('GET, PATCH, DELETE /tenants/{tenantId}', () => {
    it('reads, renames and re-slugs', async () => {
      const { tenant, admin, viewer } = await createTenantCrew(t.http);
      expect((await t.http.get(`/api/v1/tenants/${tenant.id}`).set(viewer.auth).expect(200)).body).toMatchObject({
        id: tenant.id,
        role: 'viewer',
      });
      const renamed = await t.http
        .patch(`/api/v1/tenants/${tenant.id}`)
        .set(admin.auth)
        .send({ name: 'Renamed', slug: `renamed-${tenant.slug}`.slice(0, 40) })
        .expect(200);
      expect(renamed.body).toMatchObject({ name: 'Renamed', role: 'admin' });
    });

    it('refuses a slug another tenant has', async () => {
      const { tenant, owner } = await createTenantCrew(t.http);
      const other = await createTenant(t.http, owner);
      await t.http.patch(`/api/v1/tenants/${tenant.id}`).set(owner.auth).send({ slug: other.slug }).expect(409);
    });

    it('deletes the tenant with its memberships and invitations', async () => {
      const { tenant, owner, member } = await createTenantCrew(t.http);
      await invite(t.http, tenant.id, owner, 'pending@example.com', 'viewer');
      await t.http.delete(`/api/v1/tenants/${tenant.id}`).set(owner.auth).expect(204);

      await t.http.get(`/api/v1/tenants/${tenant.id}`).set(owner.auth).expect(404);
      expect((await t.http.get('/api/v1/users/me').set(member.auth)).body.memberships).toEqual([]);
      const connection = t.orm.em.getConnection();
      for (const table of ['memberships', 'invitations']) {
        const [row] = await connection.execute<{ n: number }[]>(
          `select count(*)::int as n from ${table} where tenant_id = ?`,
          [tenant.id],
        );
        expect(row?.n).toBe(0);
      }
    });
  });
});
