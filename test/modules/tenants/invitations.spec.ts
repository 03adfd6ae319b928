import { useTestApp } from '../../support/test-app.js';
import { registerUser, uniqueEmail } from '../../factories/users.js';
import { createTenant, createTenantCrew, invite } from '../../factories/tenants.js';

describe('invitations', () => {
  const t = useTestApp();
  const accept = (auth: { Authorization: string }, token: unknown) =>
    t.http.post('/api/v1/invitations/accept').set(auth).send({ token });

  it('lets the invited email join with the invited role', async () => {
    const { tenant, admin } = await createTenantCrew(t.http);
    const invitee = await registerUser(t.http);
    const invitation = await invite(t.http, tenant.id, admin, invitee.email.toUpperCase(), 'member');

    expect(invitation).toEqual({
      id: expect.any(String),
      email: invitee.email,
      role: 'member',
      invitedBy: admin.id,
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
      token: expect.any(String),
    });
    const days = (Date.parse(invitation.expiresAt) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(7);

    const joined = await accept(invitee.auth, invitation.token).expect(201);
    expect(joined.body).toEqual({ tenantId: tenant.id, tenantName: expect.any(String), role: 'member' });
    const me = await t.http.get('/api/v1/users/me').set(invitee.auth).expect(200);
    expect(me.body.memberships).toEqual([joined.body]);
  });

  it('is single use', async () => {
    const { tenant, owner } = await createTenantCrew(t.http);
    const invitee = await registerUser(t.http);
    const { token } = await invite(t.http, tenant.id, owner, invitee.email, 'viewer');
    await accept(invitee.auth, token).expect(201);
    const again = await accept(invitee.auth, token).expect(400);
    expect(again.body.type).toBe('urn:yello:problem:invitation-not-pending');
  });

  it('refuses another account than the invited email', async () => {
    const { tenant, owner } = await createTenantCrew(t.http);
    const { token } = await invite(t.http, tenant.id, owner, uniqueEmail(), 'member');
    const stranger = await registerUser(t.http);
    const response = await accept(stranger.auth, token).expect(403);
    expect(response.body.type).toBe('urn:yello:problem:invitation-for-another-email');
  });

  it('refuses a revoked invitation, and lists only pending ones without tokens', async () => {
    const { tenant, owner, admin } = await createTenantCrew(t.http);
    const invitee = await registerUser(t.http);
    const revoked = await invite(t.http, tenant.id, owner, invitee.email, 'member');
    const kept = await invite(t.http, tenant.id, owner, uniqueEmail(), 'viewer');

    await t.http.delete(`/api/v1/tenants/${tenant.id}/invitations/${revoked.id}`).set(admin.auth).expect(204);
    await accept(invitee.auth, revoked.token).expect(400);

    const list = await t.http.get(`/api/v1/tenants/${tenant.id}/invitations`).set(admin.auth).expect(200);
    expect(list.body.data.map((invitation: { id: string }) => invitation.id)).toEqual([kept.id]);
    expect(JSON.stringify(list.body)).not.toContain(kept.token);
  });

  it('replaces a pending invitation of the same email', async () => {
    const { tenant, owner } = await createTenantCrew(t.http);
    const invitee = await registerUser(t.http);
    const first = await invite(t.http, tenant.id, owner, invitee.email, 'viewer');
    const second = await invite(t.http, tenant.id, owner, invitee.email, 'member');
    await accept(invitee.auth, first.token).expect(400);
    expect((await accept(invitee.auth, second.token).expect(201)).body.role).toBe('member');
  });

  it('converges 20 concurrent invitations of one email on one open invitation', async () => {
    const { tenant, owner } = await createTenantCrew(t.http);
    const invitee = await registerUser(t.http);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.http
          .post(`/api/v1/tenants/${tenant.id}/invitations`)
          .set(owner.auth)
          .send({ email: invitee.email, role: 'member' }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array<number>(20).fill(201));
    const open = await t.http.get(`/api/v1/tenants/${tenant.id}/invitations?limit=100`).set(owner.auth).expect(200);
    expect(open.body.data.filter((i: { email: string }) => i.email === invitee.email)).toHaveLength(1);

    const accepted = responses.filter((response) => response.body.id === open.body.data[0].id);
    await accept(invitee.auth, accepted[0]?.body.token).expect(201);
    const [row] = await t.orm.em
      .getConnection()
      .execute<{ open: number }[]>(
        'select count(*)::int as open from invitations where tenant_id = ? and accepted_at is null and revoked_at is null',
        [tenant.id],
      );
    expect(row?.open).toBe(0);
  });

  it('refuses to invite an existing member', async () => {
    const { tenant, owner, member } = await createTenantCrew(t.http);
    const response = await t.http
      .post(`/api/v1/tenants/${tenant.id}/invitations`)
      .set(owner.auth)
      .send({ email: member.email.toUpperCase(), role: 'viewer' })
      .expect(409);
    expect(response.body.type).toBe('urn:yello:problem:already-member');
  });

  it('does not let an admin invite an owner', async () => {
    const { tenant, admin } = await createTenantCrew(t.http);
    await t.http
      .post(`/api/v1/tenants/${tenant.id}/invitations`)
      .set(admin.auth)
      .send({ email: uniqueEmail(), role: 'owner' })
      .expect(403);
  });

  it('answers 404 for an unknown token', async () => {
    const user = await registerUser(t.http);
    await accept(user.auth, 'no-such-token').expect(404);
  });

  it('refuses an expired invitation', async () => {
    const owner = await registerUser(t.http);
    const tenant = await createTenant(t.http, owner);
    const invitee = await registerUser(t.http);
    const { id, token } = await invite(t.http, tenant.id, owner, invitee.email, 'member');
    await t.orm.em
      .getConnection()
      .execute(`update invitations set expires_at = now() - interval '1 second' where id = ?`, [id]);
    const response = await accept(invitee.auth, token).expect(400);
    expect(response.body.detail).toMatch(/expired/);
  });

  it('revoking touches only this tenant’s invitations', async () => {
    const a = await createTenantCrew(t.http);
    const b = await createTenantCrew(t.http);
    const invitee = await registerUser(t.http);
    const inA = await invite(t.http, a.tenant.id, a.owner, invitee.email, 'member');
    await invite(t.http, b.tenant.id, b.owner, invitee.email, 'member'); // replaces pending ones of B only
    await t.http.delete(`/api/v1/tenants/${b.tenant.id}/invitations/${inA.id}`).set(b.owner.auth).expect(404);
    await accept(invitee.auth, inA.token).expect(201);
  });
});
