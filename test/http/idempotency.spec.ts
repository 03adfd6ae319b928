import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Response } from 'supertest';
import { createTenant } from '../factories/tenants.js';
import { registerUser, type AuthHeader, type RegisteredUser } from '../factories/users.js';
import { useTestApp } from '../support/test-app.js';

describe('Idempotency-Key on creates', () => {
  const t = useTestApp();

  const post = (path: string, auth: AuthHeader, key: string | undefined, body: object) => {
    const request = t.http.post(`/api/v1${path}`).set(auth);
    return (key === undefined ? request : request.set('Idempotency-Key', key)).send(body);
  };
  const postTenant = (user: RegisteredUser, key: string | undefined, body: object = { name: 'Idempotent Inc' }) =>
    post('/tenants', user.auth, key, body);
  const tenantCount = async (user: RegisteredUser): Promise<number> =>
    (await t.http.get('/api/v1/tenants').query({ limit: 100 }).set(user.auth).expect(200)).body.data.length;
  const isReplay = (response: Response) => response.headers['idempotent-replayed'] === 'true';
  /**
   * Runs `work` while another connection locks the tenants table, so a tenant creation
   * waits inside its handler. A plain pg client: a MikroORM transaction here would leak,
   * through async context, into the requests `work` sends.
   */
  const withTenantsLocked = async <T>(work: () => Promise<T>): Promise<T> => {
    const locker = new pg.Client({ connectionString: t.config.database.url });
    await locker.connect();
    try {
      await locker.query('begin; lock table tenants in exclusive mode');
      return await work();
    } finally {
      await locker.end(); // ends the transaction and its lock
    }
  };
  const settledCount = (promises: Promise<unknown>[], count: number) =>
    new Promise<void>((resolve) => {
      let settled = 0;
      for (const promise of promises) void promise.finally(() => ++settled === count && resolve());
    });
  /** Ages or reopens the stored key, as time or a crashed request would. */
  const alterKey = (key: string, set: string) =>
    t.orm.em.getConnection().execute(`update idempotency_keys set ${set} where key = ?`, [key]);

  it('replays the first response, byte for byte, and creates nothing', async () => {
    const user = await registerUser(t.http);
    const key = randomUUID();
    const first = await postTenant(user, key, { name: 'Replay Co', slug: `replay-${key.slice(0, 8)}` }).expect(201);
    // The same body with its keys in another order is the same request.
    const again = await postTenant(user, key, { slug: `replay-${key.slice(0, 8)}`, name: 'Replay Co' }).expect(201);

    expect(isReplay(first)).toBe(false);
    expect(isReplay(again)).toBe(true);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.text).toBe(first.text);
    expect(await tenantCount(user)).toBe(1);
  });

  it('refuses the same key with another body (422)', async () => {
    const user = await registerUser(t.http);
    const key = randomUUID();
    await postTenant(user, key).expect(201);
    const response = await postTenant(user, key, { name: 'Something Else' }).expect(422);
    expect(response.body.type).toBe('urn:yello:problem:idempotency-key-reused');
    expect(await tenantCount(user)).toBe(1);
  });

  it('keeps the keys of different users apart', async () => {
    const [alice, bob] = await Promise.all([registerUser(t.http), registerUser(t.http)]);
    const [ofAlice, ofBob] = await Promise.all([postTenant(alice, 'shared-key'), postTenant(bob, 'shared-key')]);
    expect([ofAlice.status, ofBob.status, isReplay(ofAlice), isReplay(ofBob)]).toEqual([201, 201, false, false]);
    expect(ofAlice.body.id).not.toBe(ofBob.body.id);
  });

  it.each([[''], ['k'.repeat(256)], ['café'], ['tab\there']])('refuses the key %j (400)', async (key) => {
    const user = await registerUser(t.http);
    const response = await postTenant(user, key).expect(400);
    expect(response.body.errors).toEqual([{ path: 'Idempotency-Key', message: expect.any(String) }]);
    expect(await tenantCount(user)).toBe(0);
  });

  it('creates every time without a key, and accepts 255 printable characters as one', async () => {
    const user = await registerUser(t.http);
    await postTenant(user, undefined).expect(201);
    await postTenant(user, undefined).expect(201);
    await postTenant(user, ` ~${'k'.repeat(253)}`).expect(201);
    expect(await tenantCount(user)).toBe(3);
  });

  it('runs one of 20 simultaneous requests with a key; the others replay it or get 409', async () => {
    const user = await registerUser(t.http);
    const key = randomUUID();
    expect(await tenantCount(user)).toBe(0);
    const responses = await Promise.all(Array.from({ length: 20 }, () => postTenant(user, key)));

    for (const response of responses) expect([201, 409]).toContain(response.status);
    expect(responses.filter((response) => response.status === 201 && !isReplay(response))).toHaveLength(1);
    expect(await tenantCount(user)).toBe(1);
  });

  it('releases the key of a failed request, so the client can retry with it', async () => {
    const user = await registerUser(t.http);
    const taken = await createTenant(t.http, await registerUser(t.http));
    const key = randomUUID();
    await postTenant(user, key, { name: 'Taken', slug: taken.slug }).expect(409);
    await postTenant(user, key, { name: '' }).expect(400);
    const retried = await postTenant(user, key).expect(201);
    expect(isReplay(retried)).toBe(false);
    expect(isReplay(await postTenant(user, key).expect(201))).toBe(true);
  });

  it('answers 409 to the same key while its first request runs, and replays it afterwards', async () => {
    const user = await registerUser(t.http);
    const key = randomUUID();
    const requests = await withTenantsLocked(async () => {
      const sent = Array.from({ length: 20 }, () => postTenant(user, key).then((response) => response));
      await settledCount(sent, 19); // all but the one that claimed the key and now waits for the lock
      return sent;
    });
    const statuses = (await Promise.all(requests)).map((response) => response.status).sort();
    expect(statuses).toEqual([201, ...Array<number>(19).fill(409)]);
    expect(isReplay(await postTenant(user, key).expect(201))).toBe(true);
    expect(await tenantCount(user)).toBe(1);
  });

  it('forgets a key after 24 hours, and a claim abandoned by a crashed request after minutes', async () => {
    const user = await registerUser(t.http);
    const key = randomUUID();
    await postTenant(user, key).expect(201);
    await alterKey(key, `created_at = created_at - interval '25 hours'`);
    expect(isReplay(await postTenant(user, key, { name: 'After a day' }).expect(201))).toBe(false);
    await alterKey(key, `state = 'in_progress', created_at = created_at - interval '10 minutes'`);
    expect(isReplay(await postTenant(user, key, { name: 'After a crash' }).expect(201))).toBe(false);
    expect(await tenantCount(user)).toBe(3);
  });

  // Without the key, the second invitation would revoke the first and the second acceptance be a 400.
  it('replays invitations and their acceptance', async () => {
    const owner = await registerUser(t.http);
    const invitee = await registerUser(t.http);
    const tenant = await createTenant(t.http, owner);
    const inviteWithKey = () =>
      post(`/tenants/${tenant.id}/invitations`, owner.auth, 'invite-1', { email: invitee.email, role: 'member' });
    const invitation = await inviteWithKey().expect(201);
    expect((await inviteWithKey().expect(201)).body).toEqual(invitation.body);
    // The replayable body carries the one-time token: it is stored sealed, never readable.
    const [stored] = await t.orm.em
      .getConnection()
      .execute<{ body: string }[]>(
        "select response_body::text as body from idempotency_keys where key = 'invite-1' and user_id = ?",
        [owner.id],
      );
    expect(stored?.body).toEqual(expect.any(String));
    expect(stored?.body).not.toContain(invitation.body.token);
    expect(stored?.body).not.toContain(invitee.email);

    const acceptWithKey = () => post('/invitations/accept', invitee.auth, 'accept-1', { token: invitation.body.token });
    const joined = await acceptWithKey().expect(201);
    const replayed = await acceptWithKey().expect(201);
    expect([isReplay(replayed), replayed.body]).toEqual([true, joined.body]);
  });
});
