import { jest } from '@jest/globals';
import { createTenant } from '../factories/tenants.js';
import { registerUser } from '../factories/users.js';
import { built } from '../support/built.js';
import { textOf } from '../support/sql-text.js';
import { useTestApp } from '../support/test-app.js';

const [{ default: pg }, { Transactions }, { EventLog }, { Project }, { Tenant }] = await Promise.all([
  built('pg'),
  built('./database/transactions.js'),
  built('./modules/events/event-log.js'),
  built('./modules/projects/entities/project.entity.js'),
  built('./modules/tenants/entities/tenant.entity.js'),
]);

describe('Transactions.run', () => {
  const t = useTestApp();

  // The lock order (README): the tenant's event counter is the last lock a transaction takes.
  it("writes the unit of work's pending changes before it appends the events", async () => {
    const owner = await registerUser(t.http);
    const tenant = await createTenant(t.http, owner);
    const spy = jest.spyOn(pg.Client.prototype, 'query');
    try {
      await t.app.get(Transactions).run((em) => {
        // Left for the transaction's own flush, as code that forgets `em.flush()` leaves it.
        const project = em.create(Project, { tenant: em.getReference(Tenant, tenant.id), key: 'ORD', name: 'Order' });
        t.app
          .get(EventLog)
          .record(
            { tenantId: tenant.id, userId: owner.id },
            { type: 'project.created', projectId: project.id, data: { project: { id: project.id } } },
          );
        return Promise.resolve();
      });
      const sent = spy.mock.calls.map(([query]: unknown[]) => textOf(query));
      const insert = sent.findIndex((text) => text.startsWith('insert into "projects"'));
      const append = sent.findIndex((text) => text.includes('"event_counters"'));
      expect(insert).toBeGreaterThanOrEqual(0);
      expect(append).toBeGreaterThan(insert);
    } finally {
      spy.mockRestore();
    }
  });

  // The append is sent with the COMMIT right behind it: its failure must still fail the run,
  // and the COMMIT must have rolled everything back.
  it('rolls the whole transaction back and throws when the event append fails', async () => {
    const owner = await registerUser(t.http);
    const tenant = await createTenant(t.http, owner);
    const transactions = t.app.get(Transactions);
    const eventLog = t.app.get(EventLog);
    const attempt = (key: string, eventNote: string) =>
      transactions.run(async (em) => {
        const project = em.create(Project, { tenant: em.getReference(Tenant, tenant.id), key, name: key });
        await em.flush();
        eventLog.record(
          { tenantId: tenant.id, userId: owner.id },
          { type: 'project.created', projectId: project.id, data: { project: { id: project.id }, note: eventNote } },
        );
      });
    // jsonb refuses the escaped NUL character: the append statement fails in PostgreSQL.
    await expect(attempt('NUL', 'a \u0000')).rejects.toMatchObject({ code: '22P05' });
    await attempt('FINE', 'fine');
    const projects = await t.http.get(`/api/v1/tenants/${tenant.id}/projects`).set(owner.auth).expect(200);
    expect(projects.body.data.map((project: { key: string }) => project.key)).toEqual(['FINE']);
    const events = await t.http.get(`/api/v1/tenants/${tenant.id}/events`).set(owner.auth).expect(200);
    expect(events.body.data).toEqual([expect.objectContaining({ seq: 1, type: 'project.created' })]);
  });
});
