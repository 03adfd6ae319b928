import { built } from '../support/built.js';
import { useTestApp } from '../support/test-app.js';
import { login, registerUser } from '../factories/users.js';
import { createTenant, invite } from '../factories/tenants.js';
import { createApiToken } from '../factories/api-tokens.js';
import { createWebhook } from '../factories/webhooks.js';

const { HousekeepingService } = await built('./common/housekeeping/housekeeping.service.js');

describe('housekeeping', () => {
  const t = useTestApp();
  const count = async (table: string, column: string, id: string): Promise<number | undefined> => {
    const [row] = await t.orm.em
      .getConnection()
      .execute<{ n: number }[]>(`select count(*)::int as n from ${table} where ${column} = ?`, [id]);
    return row?.n;
  };

  it('purges what can no longer be used, and keeps what can', async () => {
    const user = await registerUser(t.http);
    await login(t.http, user);
    await t.http.post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
    const tenant = await createTenant(t.http, user);
    await invite(t.http, tenant.id, user, 'someone@example.com', 'member');
    // Its delivery of the token's creation stays pending (no job runner here), then goes.
    const webhook = await createWebhook(t.http, tenant.id, user, { events: ['api_token.created'] });
    // Expires in 30 days: 61 days on, it has been expired for longer than the 30 kept.
    await createApiToken(t.http, tenant.id, user, { expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() });
    await t.http
      .post('/api/v1/tenants')
      .set(user.auth)
      .set('Idempotency-Key', 'k-1')
      .send({ name: 'Idem' })
      .expect(201);

    // 61 days on, with nobody using them, every session and invitation has been over for
    // longer than the 30 days kept, and the idempotency key is long past its 24 hours.
    const report = await t.app.get(HousekeepingService).purge(new Date(Date.now() + 61 * 86_400_000));
    expect(report).toEqual({
      sessions: 2,
      refreshTokens: 0,
      accountTokens: 0,
      invitations: 1,
      apiTokens: 1,
      webhookDeliveries: 1,
      idempotencyKeys: 1,
      rateLimitCounters: expect.any(Number),
      // Every tenant's events of the last 31 days: the other tests' too.
      events: expect.any(Number),
    });
    expect(await count('events', 'tenant_id', tenant.id)).toBe(0);
    expect(await count('sessions', 'user_id', user.id)).toBe(0);
    // The token's creation was event 1: reading after 0 now would skip it.
    const { auth } = await login(t.http, user);
    await t.http.get(`/api/v1/tenants/${tenant.id}/events`).query({ after: 0 }).set(auth).expect(410);
    await t.http.get(`/api/v1/tenants/${tenant.id}/events`).query({ after: 1 }).set(auth).expect(200);
    expect(await count('api_tokens', 'tenant_id', tenant.id)).toBe(0);
    expect(await count('invitations', 'tenant_id', tenant.id)).toBe(0);
    expect(await count('webhook_deliveries', 'webhook_id', webhook.id)).toBe(0);
  });

  it('leaves live sessions, pending invitations and fresh keys alone', async () => {
    const user = await registerUser(t.http);
    const tenant = await createTenant(t.http, user);
    await invite(t.http, tenant.id, user, 'pending@example.com', 'member');
    await createApiToken(t.http, tenant.id, user);
    await t.http
      .post('/api/v1/tenants')
      .set(user.auth)
      .set('Idempotency-Key', 'k-2')
      .send({ name: 'Fresh' })
      .expect(201);

    await t.app.get(HousekeepingService).purge();
    expect(await count('sessions', 'user_id', user.id)).toBe(1);
    expect(await count('invitations', 'tenant_id', tenant.id)).toBe(1);
    expect(await count('api_tokens', 'tenant_id', tenant.id)).toBe(1);
    expect(await count('events', 'tenant_id', tenant.id)).toBe(1);
    expect(await count('idempotency_keys', 'user_id', user.id)).toBe(1);
    await t.http.get('/api/v1/users/me').set(user.auth).expect(200);
  });

  it('deletes in batches, and leaves a job to the instance that holds its lock', async () => {
    const user = await registerUser(t.http);
    await login(t.http, user);
    await login(t.http, user);
    const later = new Date(Date.now() + 61 * 86_400_000);
    const housekeeping = t.app.get(HousekeepingService);

    // Another instance is in the middle of a sessions batch: this one skips the job.
    const other = t.orm.em.fork();
    await other.transactional(async (em) => {
      await em
        .getConnection()
        .execute(
          "select pg_advisory_xact_lock(x'59454c48'::int, hashtext('sessions'))",
          [],
          'all',
          em.getTransactionContext(),
        );
      expect((await housekeeping.purge(later)).sessions).toBe(0);
    });
    expect(await count('sessions', 'user_id', user.id)).toBe(3);

    // Batches of one: all three go, one short transaction each.
    expect((await housekeeping.purge(later, 1)).sessions).toBeGreaterThanOrEqual(3);
    expect(await count('sessions', 'user_id', user.id)).toBe(0);
  });
});
