import { useTestApp } from '../../support/test-app.js';
import { createTenantCrew, addMember } from '../../factories/tenants.js';
import type { RegisteredUser } from '../../factories/users.js';

describe('members', () => {
  const t = useTestApp();
  const members = (tenantId: string) => `/api/v1/tenants/${tenantId}/members`;
  const setRole = (tenantId: string, actor: RegisteredUser, userId: string, role: string) =>
    t.http
      .patch(`${members(tenantId)}/${userId}`)
      .set(actor.auth)
      .send({ role });
  const remove = (tenantId: string, actor: RegisteredUser, userId: string) =>
    t.http.delete(`${members(tenantId)}/${userId}`).set(actor.auth);

  it('lists members in the order they joined', async () => {
    const { tenant, owner, admin, member, viewer } = await createTenantCrew(t.http);
    const response = await t.http.get(members(tenant.id)).set(viewer.auth).expect(200);
    expect(response.body.data[0]).toEqual({
      userId: owner.id,
      name: owner.name,
      email: owner.email,
      role: 'owner',
      joinedAt: expect.any(String),
    });
    expect(response.body.data.map((m: { userId: string }) => m.userId).sort()).toEqual(
      [owner.id, admin.id, member.id, viewer.id].sort(),
    );
  });

  it('pages through members oldest first, each exactly once', async () => {
    const { tenant, owner, admin, member, viewer } = await createTenantCrew(t.http);
    const first = await t.http.get(members(tenant.id)).query({ limit: 3 }).set(viewer.auth).expect(200);
    const late = await addMember(t.http, tenant.id, owner, 'viewer');
    const second = await t.http
      .get(members(tenant.id))
      .query({ limit: 3, cursor: first.body.nextCursor })
      .set(viewer.auth)
      .expect(200);
    expect(second.body.nextCursor).toBeNull();
    const listed: { userId: string; joinedAt: string }[] = [...first.body.data, ...second.body.data];
    const ids = listed.map((m) => m.userId);
    expect([ids[0], ids[4]]).toEqual([owner.id, late.id]); // the crew's other three join concurrently
    expect([...ids].sort()).toEqual([owner.id, admin.id, member.id, viewer.id, late.id].sort());
    const joined = listed.map((m) => Date.parse(m.joinedAt));
    expect(joined).toEqual([...joined].sort((a, b) => a - b));
  });

  it('lets an admin change roles below owner', async () => {
    const { tenant, admin, member } = await createTenantCrew(t.http);
    const response = await setRole(tenant.id, admin, member.id, 'viewer').expect(200);
    expect(response.body).toMatchObject({ userId: member.id, role: 'viewer' });
  });

  it('keeps owner to owners: an admin can neither grant it nor take it nor remove an owner', async () => {
    const { tenant, owner, admin, member } = await createTenantCrew(t.http);
    expect((await setRole(tenant.id, admin, member.id, 'owner').expect(403)).body.type).toBe(
      'urn:yello:problem:owner-role-reserved',
    );
    await setRole(tenant.id, admin, owner.id, 'member').expect(403);
    await remove(tenant.id, admin, owner.id).expect(403);
    await setRole(tenant.id, owner, member.id, 'owner').expect(200);
  });

  it('never leaves a tenant without an owner', async () => {
    const { tenant, owner } = await createTenantCrew(t.http);
    expect((await setRole(tenant.id, owner, owner.id, 'admin').expect(409)).body.type).toBe(
      'urn:yello:problem:last-owner',
    );
    await remove(tenant.id, owner, owner.id).expect(409);

    const second = await addMember(t.http, tenant.id, owner, 'owner');
    await setRole(tenant.id, second, owner.id, 'admin').expect(200);
    await remove(tenant.id, second, second.id).expect(409);
  });

  it('lets any member leave, and only admins remove others', async () => {
    const { tenant, member, viewer, admin } = await createTenantCrew(t.http);
    await remove(tenant.id, member, viewer.id).expect(403);
    await remove(tenant.id, viewer, viewer.id).expect(204);
    await t.http.get(`/api/v1/tenants/${tenant.id}`).set(viewer.auth).expect(404);
    await remove(tenant.id, admin, member.id).expect(204);
  });

  it('answers 404 for a user who is not a member, and 400 for a malformed id', async () => {
    const { tenant, owner, outsider } = await createTenantCrew(t.http);
    await setRole(tenant.id, owner, outsider.id, 'viewer').expect(404);
    await remove(tenant.id, owner, outsider.id).expect(404);
    await setRole(tenant.id, owner, 'not-a-uuid', 'viewer').expect(400);
  });

  it('refuses an unknown role', async () => {
    const { tenant, owner, member } = await createTenantCrew(t.http);
    await setRole(tenant.id, owner, member.id, 'superuser').expect(400);
  });

  it('lets two owners demoting each other at once leave one owner', async () => {
    const { tenant, owner } = await createTenantCrew(t.http);
    const second = await addMember(t.http, tenant.id, owner, 'owner');
    const results = await Promise.all([
      setRole(tenant.id, owner, second.id, 'admin'),
      setRole(tenant.id, second, owner.id, 'admin'),
    ]);
    // The loser finds itself demoted already (403), or the winner gone as last owner (409).
    const statuses = results.map((r) => r.status).sort();
    expect([
      [200, 403],
      [200, 409],
    ]).toContainEqual(statuses);
    const list = await t.http.get(members(tenant.id)).set(owner.auth).expect(200);
    expect(list.body.data.filter((m: { role: string }) => m.role === 'owner')).toHaveLength(1);
  });
});
