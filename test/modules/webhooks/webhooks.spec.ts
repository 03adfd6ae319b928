import { sqlOf } from '../../../src/database/typed-sql.js';
import { createProject, createTask } from '../../factories/projects.js';
import { createTenantCrew, type TenantCrew } from '../../factories/tenants.js';
import { createWebhook } from '../../factories/webhooks.js';
import { useTestApp } from '../../support/test-app.js';

// No job runner here (JOB_CONCURRENCY 0): deliveries stay pending, as queued.
describe('webhooks', () => {
  const t = useTestApp();
  let crew: TenantCrew;
  let base: string;
  beforeAll(async () => {
    crew = await createTenantCrew(t.http);
    base = `/api/v1/tenants/${crew.tenant.id}/webhooks`;
  });

  it('creates a webhook with a secret shown once, stored sealed', async () => {
    const response = await t.http
      .post(base)
      .set(crew.admin.auth)
      .send({ url: 'https://hooks.example.com/yello', events: ['task.*', 'comment.created'], description: 'Chat' })
      .expect(201);
    expect(response.headers.location).toBe(`${base}/${response.body.id}`);
    expect(response.body).toMatchObject({
      url: 'https://hooks.example.com/yello',
      events: ['task.*', 'comment.created'],
      projectId: null,
      description: 'Chat',
      active: true,
      disabledReason: null,
    });
    const secret: string = response.body.secret;
    expect(Buffer.from(secret.replace(/^whsec_/, ''), 'base64').length).toBeGreaterThanOrEqual(24);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);

    const read = await t.http.get(`${base}/${response.body.id}`).set(crew.admin.auth).expect(200);
    expect(read.body.secret).toBeUndefined();
    const em = t.orm.em.fork();
    const row = await sqlOf(em)
      .selectFrom('webhooks')
      .where('id', '=', response.body.id)
      .select('secret')
      .executeTakeFirstOrThrow();
    expect(row.secret).not.toContain(secret.slice(6, 20));
    expect(row.secret).not.toMatch(/^whsec_/);
  });

  it('lists, updates, disables and deletes webhooks', async () => {
    const first = await createWebhook(t.http, crew.tenant.id, crew.owner);
    const second = await createWebhook(t.http, crew.tenant.id, crew.owner);
    const list = await t.http.get(`${base}?limit=2`).set(crew.admin.auth).expect(200);
    expect(list.body.data.map((webhook: { id: string }) => webhook.id)).toEqual([second.id, first.id]);

    const patched = await t.http
      .patch(`${base}/${first.id}`)
      .set(crew.admin.auth)
      .send({ url: 'http://127.0.0.1:8/other', events: ['project.created'], active: false })
      .expect(200);
    expect(patched.body).toMatchObject({ url: 'http://127.0.0.1:8/other', events: ['project.created'], active: false });
    await t.http.post(`${base}/${first.id}/ping`).set(crew.admin.auth).expect(409);

    await t.http.delete(`${base}/${first.id}`).set(crew.admin.auth).expect(204);
    await t.http.get(`${base}/${first.id}`).set(crew.admin.auth).expect(404);
  });

  it('refuses unknown event types, bad URLs and projects of other tenants', async () => {
    const other = await createTenantCrew(t.http);
    const foreign = await createProject(t.http, other.tenant.id, other.owner);
    const send = (body: object) => t.http.post(base).set(crew.admin.auth).send(body);
    await send({ url: 'http://127.0.0.1:9/', events: ['task.exploded'] }).expect(400);
    await send({ url: 'http://127.0.0.1:9/', events: [] }).expect(400);
    await send({ url: 'ftp://example.com/', events: ['task.*'] }).expect(400);
    await send({ url: 'not a url', events: ['task.*'] }).expect(400);
    const response = await send({ url: 'http://127.0.0.1:9/', events: ['task.*'], projectId: foreign.id }).expect(404);
    expect(response.body.type).toBe('urn:yello:problem:project-not-found');
  });

  it('is for admins, and invisible from another tenant', async () => {
    const webhook = await createWebhook(t.http, crew.tenant.id, crew.owner);
    await t.http.get(base).set(crew.member.auth).expect(403);
    await t.http
      .post(base)
      .set(crew.member.auth)
      .send({ url: 'http://127.0.0.1:9/', events: ['task.*'] })
      .expect(403);
    const other = await createTenantCrew(t.http);
    const elsewhere = `/api/v1/tenants/${other.tenant.id}/webhooks/${webhook.id}`;
    await t.http.get(elsewhere).set(other.owner.auth).expect(404);
    await t.http.patch(elsewhere).set(other.owner.auth).send({ active: false }).expect(404);
    await t.http.delete(elsewhere).set(other.owner.auth).expect(404);
    await t.http.post(`${elsewhere}/rotate-secret`).set(other.owner.auth).expect(404);
    await t.http.get(`${elsewhere}/deliveries`).set(other.owner.auth).expect(404);
  });

  it('queues a delivery for each matching event in the change transaction', async () => {
    const own = await createTenantCrew(t.http);
    const project = await createProject(t.http, own.tenant.id, own.owner);
    const otherProject = await createProject(t.http, own.tenant.id, own.owner);
    const all = await createWebhook(t.http, own.tenant.id, own.owner, { events: ['task.created'] });
    const scoped = await createWebhook(t.http, own.tenant.id, own.owner, { events: ['task.*'], projectId: project.id });
    const none = await createWebhook(t.http, own.tenant.id, own.owner, { events: ['comment.*'] });
    await createTask(t.http, own.tenant.id, project.id, own.owner);
    await createTask(t.http, own.tenant.id, otherProject.id, own.owner);

    const deliveries = async (webhookId: string, query = '') =>
      (
        await t.http
          .get(`/api/v1/tenants/${own.tenant.id}/webhooks/${webhookId}/deliveries${query}`)
          .set(own.owner.auth)
          .expect(200)
      ).body.data;
    expect(await deliveries(all.id)).toHaveLength(2);
    expect(await deliveries(scoped.id)).toEqual([
      expect.objectContaining({ eventType: 'task.created', status: 'pending', attempt: 0, responseStatus: null }),
    ]);
    expect(await deliveries(none.id)).toEqual([]);
    expect(await deliveries(all.id, '?status=succeeded')).toEqual([]);
    await t.http
      .get(`/api/v1/tenants/${own.tenant.id}/webhooks/${all.id}/deliveries?status=lost`)
      .set(own.owner.auth)
      .expect(400);
  });
});
