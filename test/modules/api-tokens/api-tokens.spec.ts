import { createApiToken } from '../../factories/api-tokens.js';
import { createProject, createTask } from '../../factories/projects.js';
import { createTenant, createTenantCrew, type TenantCrew } from '../../factories/tenants.js';
import { bearer, registerUser } from '../../factories/users.js';
import { useTestApp } from '../../support/test-app.js';

describe('API tokens', () => {
  const t = useTestApp();
  let crew: TenantCrew;
  let tenant: string;
  beforeAll(async () => {
    crew = await createTenantCrew(t.http);
    tenant = `/api/v1/tenants/${crew.tenant.id}`;
  });

  const sql = (text: string, values: unknown[]) => t.orm.em.getConnection().execute(text, values);

  it('create → use → list without the secret → revoke → 401 invalid_token', async () => {
    const created = await createApiToken(t.http, crew.tenant.id, crew.member, { name: 'Build bot' });
    expect(created).toMatchObject({ name: 'Build bot', scopes: ['write'], userId: crew.member.id, lastUsedAt: null });
    expect(created.prefix).toBe(created.token.slice(0, 8));

    const project = await createProject(t.http, crew.tenant.id, crew.owner);
    const task = await t.http
      .post(`${tenant}/projects/${project.id}/tasks`)
      .set(created.auth)
      .send({ title: 'Build broke' })
      .expect(201);
    expect(task.body.reporterId).toBe(crew.member.id);
    await t.http.get(`${tenant}/tasks/${task.body.key}`).set(created.auth).expect(200);

    const self = await t.http.get('/api/v1/api-tokens/self').set(created.auth).expect(200);
    expect(self.body).toEqual({
      id: created.id,
      tenantId: crew.tenant.id,
      scopes: ['write'],
      expiresAt: created.expiresAt,
      userId: crew.member.id,
    });

    const list = await t.http.get(`${tenant}/api-tokens`).set(crew.member.auth).expect(200);
    const listed = list.body.data.find((token: { id: string }) => token.id === created.id);
    expect(listed).toMatchObject({ id: created.id, prefix: created.prefix });
    expect(listed).not.toHaveProperty('token');
    expect(listed.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list.body)).not.toContain(created.token);

    await t.http.delete(`${tenant}/api-tokens/${created.id}`).set(crew.member.auth).expect(204);
    const refused = await t.http.get(`${tenant}/tasks`).set(created.auth).expect(401);
    expect(refused.headers['www-authenticate']).toContain('error="invalid_token"');
    await t.http.delete(`${tenant}/api-tokens/${created.id}`).set(crew.member.auth).expect(404);
  });

  it('stores only the SHA-256 of the secret', async () => {
    const created = await createApiToken(t.http, crew.tenant.id, crew.member);
    const rows = await sql('select * from api_tokens where id = ?', [created.id]);
    expect(JSON.stringify(rows)).not.toContain(created.token.slice(4, 44));
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses unknown tokens and tokens with a bad checksum with 401 invalid_token', async () => {
    const created = await createApiToken(t.http, crew.tenant.id, crew.member);
    const badSum = `${created.token.slice(0, -1)}${created.token.endsWith('0') ? '1' : '0'}`;
    const unknown = `yel_${'a'.repeat(40)}_${created.token.slice(-6)}`;
    for (const token of [badSum, unknown, 'yel_short']) {
      const response = await t.http.get(`${tenant}/tasks`).set(bearer(token)).expect(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="yello", error="invalid_token"');
    }
  });

  it('expires: an expired token is 401', async () => {
    const created = await createApiToken(t.http, crew.tenant.id, crew.member);
    await sql(`update api_tokens set expires_at = now() - interval '1 second' where id = ?`, [created.id]);
    const response = await t.http.get(`${tenant}/tasks`).set(created.auth).expect(401);
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    // Still listed, so whoever runs the automation can see why it stopped.
    const list = await t.http.get(`${tenant}/api-tokens`).set(crew.member.auth).expect(200);
    expect(list.body.data.map((token: { id: string }) => token.id)).toContain(created.id);
  });

  it('requires an expiry within 366 days, 90 days by default', async () => {
    const created = await createApiToken(t.http, crew.tenant.id, crew.member);
    const days = (Date.parse(created.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);
    const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
    for (const expiresAt of [inDays(367), inDays(-1), 'tomorrow']) {
      await t.http
        .post(`${tenant}/api-tokens`)
        .set(crew.member.auth)
        .send({ name: 'x', scopes: ['read'], expiresAt })
        .expect(400);
    }
    await createApiToken(t.http, crew.tenant.id, crew.member, { expiresAt: inDays(365) });
    for (const scopes of [[], ['root'], ['read', 'read']]) {
      await t.http.post(`${tenant}/api-tokens`).set(crew.member.auth).send({ name: 'x', scopes }).expect(400);
    }
  });

  it('works only in its own tenant: another tenant is 404, even one its creator belongs to', async () => {
    const created = await createApiToken(t.http, crew.tenant.id, crew.owner, { scopes: ['admin'] });
    const other = await createTenant(t.http, crew.owner);
    await t.http.get(`/api/v1/tenants/${other.id}`).set(crew.owner.auth).expect(200);
    await t.http.get(`/api/v1/tenants/${other.id}`).set(created.auth).expect(404);
    await t.http.get(`/api/v1/tenants/${other.id}/tasks`).set(created.auth).expect(404);
  });

  it('is refused on account routes and token management with 403, and can never mint a credential', async () => {
    const created = await createApiToken(t.http, crew.tenant.id, crew.owner, { scopes: ['admin'] });
    const calls = {
      'GET /users/me': t.http.get('/api/v1/users/me').set(created.auth),
      'PATCH /users/me': t.http.patch('/api/v1/users/me').set(created.auth).send({ name: 'Bot' }),
      'GET /auth/sessions': t.http.get('/api/v1/auth/sessions').set(created.auth),
      'POST /auth/logout': t.http.post('/api/v1/auth/logout').set(created.auth),
      'POST /tenants': t.http.post('/api/v1/tenants').set(created.auth).send({ name: 'Bot tenant' }),
      'GET /tenants': t.http.get('/api/v1/tenants').set(created.auth),
      'POST api-tokens': t.http
        .post(`${tenant}/api-tokens`)
        .set(created.auth)
        .send({ name: 'Child', scopes: ['read'] }),
      'GET api-tokens': t.http.get(`${tenant}/api-tokens`).set(created.auth),
      'DELETE api-tokens': t.http.delete(`${tenant}/api-tokens/${created.id}`).set(created.auth),
    };
    for (const [route, call] of Object.entries(calls)) {
      const { status, body } = await call;
      expect({ route, status, type: body.type }).toEqual({
        route,
        status: 403,
        type: 'urn:yello:problem:api-token-not-allowed',
      });
    }
    await t.http.get('/api/v1/api-tokens/self').set(crew.owner.auth).expect(403);
  });

  it('lists own tokens for members, everyone’s (or one member’s) for admins, newest first, paged', async () => {
    const own = await createApiToken(t.http, crew.tenant.id, crew.member);
    const admins = await createApiToken(t.http, crew.tenant.id, crew.admin);
    const mine = await t.http.get(`${tenant}/api-tokens?limit=100`).set(crew.member.auth).expect(200);
    const mineIds = mine.body.data.map((token: { userId: string }) => token.userId);
    expect(new Set(mineIds)).toEqual(new Set([crew.member.id]));
    await t.http.get(`${tenant}/api-tokens?userId=${crew.admin.id}`).set(crew.member.auth).expect(403);
    await t.http.get(`${tenant}/api-tokens`).set(crew.viewer.auth).expect(403);

    const all = await t.http.get(`${tenant}/api-tokens?limit=100`).set(crew.admin.auth).expect(200);
    const ids = all.body.data.map((token: { id: string }) => token.id);
    expect(ids).toEqual(expect.arrayContaining([own.id, admins.id]));
    expect(ids.indexOf(admins.id)).toBeLessThan(ids.indexOf(own.id));
    const filtered = await t.http.get(`${tenant}/api-tokens?userId=${crew.member.id}`).set(crew.admin.auth).expect(200);
    expect(filtered.body.data.every((token: { userId: string }) => token.userId === crew.member.id)).toBe(true);

    const first = await t.http.get(`${tenant}/api-tokens?limit=1`).set(crew.admin.auth).expect(200);
    const second = await t.http
      .get(`${tenant}/api-tokens?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`)
      .set(crew.admin.auth)
      .expect(200);
    expect(second.body.data[0].id).toBe(ids[1]);
  });

  it('is revoked by its creator or an admin, not by another member', async () => {
    const owners = await createApiToken(t.http, crew.tenant.id, crew.owner);
    const members = await createApiToken(t.http, crew.tenant.id, crew.member);
    await t.http.delete(`${tenant}/api-tokens/${owners.id}`).set(crew.member.auth).expect(403);
    await t.http.delete(`${tenant}/api-tokens/${members.id}`).set(crew.admin.auth).expect(204);
    await t.http.get(`${tenant}/tasks`).set(members.auth).expect(401);
    await t.http.get(`${tenant}/tasks`).set(owners.auth).expect(200);
  });

  it('records its last use at most once a minute, with the client address', async () => {
    const created = await createApiToken(t.http, crew.tenant.id, crew.member);
    await t.http.get(`${tenant}/tasks`).set(created.auth).expect(200);
    const read = async () => {
      const rows = await sql('select last_used_at, last_used_ip from api_tokens where id = ?', [created.id]);
      return { lastUsedAt: rows[0]?.last_used_at, ip: rows[0]?.last_used_ip };
    };
    const waitForUse = async () => {
      for (let i = 0; i < 50 && (await read()).lastUsedAt === null; i++) await new Promise((r) => setTimeout(r, 20));
      return read();
    };
    const first = await waitForUse();
    expect(first.lastUsedAt).not.toBeNull();
    expect(first.ip).toEqual(expect.any(String));
    await t.http.get(`${tenant}/tasks`).set(created.auth).expect(200);
    await new Promise((r) => setTimeout(r, 100));
    expect((await read()).lastUsedAt).toEqual(first.lastUsedAt);
  });

  it('needs a session of a member to be created', async () => {
    const outsider = await registerUser(t.http);
    await t.http
      .post(`${tenant}/api-tokens`)
      .set(outsider.auth)
      .send({ name: 'x', scopes: ['read'] })
      .expect(404);
    await t.http
      .post(`${tenant}/api-tokens`)
      .set(crew.viewer.auth)
      .send({ name: 'x', scopes: ['read'] })
      .expect(403);
    const project = await createProject(t.http, crew.tenant.id, crew.owner);
    await createTask(t.http, crew.tenant.id, project.id, crew.member);
  });
});
