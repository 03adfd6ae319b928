import { jest } from '@jest/globals';
import { createProject, createTask, type CreatedTask } from '../../factories/projects.js';
import { createTenantCrew, type TenantCrew } from '../../factories/tenants.js';
import { createWebhook } from '../../factories/webhooks.js';
import { nameOf, textOf } from '../../support/sql-text.js';
import { built } from '../../support/built.js';
import { useTestApp } from '../../support/test-app.js';

// The app's own driver (see built.ts).
const { default: pg } = await built('pg');

/**
 * The round trips of a task `PATCH` that changes the status, statement by statement: what the
 * event log and webhooks add to the hot write path is counted here, and a new statement on it
 * shows up as a failing list rather than as a slower benchmark.
 */
describe('the statements of a task PATCH', () => {
  const t = useTestApp();
  let crew: TenantCrew;
  let task: CreatedTask;
  beforeAll(async () => {
    crew = await createTenantCrew(t.http);
    const project = await createProject(t.http, crew.tenant.id, crew.owner);
    task = await createTask(t.http, crew.tenant.id, project.id, crew.member);
  });

  /** The statements the app sent while changing the task's status to `status`, each shortened to its start. */
  async function statementsOfPatch(status: string): Promise<string[]> {
    return (await callsOfPatch(status)).map(({ sql }) => sql);
  }

  /** The same, with the name each was sent under (named statements). */
  async function callsOfPatch(status: string): Promise<{ sql: string; name?: string }[]> {
    // At the driver (calls pass through): MikroORM's statements and typed Kysely's alike, as sent.
    const spy = jest.spyOn(pg.Client.prototype, 'query');
    try {
      await t.http
        .patch(`/api/v1/tenants/${crew.tenant.id}/tasks/${task.key}`)
        .set(crew.member.auth)
        .send({ status })
        .expect(200);
      return spy.mock.calls.map(([query]: unknown[]) => ({
        sql: textOf(query).replace(/\s+/g, ' ').trim(),
        name: nameOf(query),
      }));
    } finally {
      spy.mockRestore();
    }
  }

  /** A statement by its kind and its tables: enough to tell the steps of the path apart. */
  const shape = (sql: string): string => {
    const tables = [...sql.matchAll(/\b(?:from|into|update|join)\s+"(\w+)"/gi)].map((match) => match[1]);
    return [sql.split(' ')[0]?.toLowerCase(), ...new Set(tables)].join(' ');
  };

  const PATH = [
    'select sessions', // the access token's session
    'select memberships', // the caller's role in the tenant
    'begin',
    'with tasks project_states locked into', // the column lock, the task, and the state it enters
    'select tasks', // the bottom of the new column
    'update tasks task_labels', // the change, answered from RETURNING
    'insert activity_events',
    // The events, numbered, and the deliveries to the webhooks that want them, with their jobs.
    'with event_counters events counter webhook_deliveries appended webhooks',
    'commit',
  ];

  it('locks the task and its new state in one statement, and appends the events in one', async () => {
    const statements = await statementsOfPatch('in_progress');
    expect(statements.map(shape)).toEqual(PATH);
    expect(statements.find((sql) => sql.startsWith('with "counter"'))).toContain('"webhooks"');
  });

  // Its parsing and planning cost more than its run: each connection prepares it once.
  it('sends the event append as a named statement, and the others unnamed', async () => {
    const calls = await callsOfPatch('todo');
    expect(calls.filter(({ name }) => name !== undefined).map(({ sql }) => shape(sql))).toEqual([
      'with event_counters events counter webhook_deliveries appended webhooks',
    ]);
  });

  it('costs a tenant with webhooks no statement more: deliveries and their jobs are written by the append', async () => {
    const webhook = await createWebhook(t.http, crew.tenant.id, crew.owner, { events: ['task.updated'] });
    const statements = await statementsOfPatch('done');
    expect(statements.map(shape)).toEqual(PATH);
    const append = statements.find((sql) => sql.startsWith('with "counter"'));
    expect(append).toContain('insert into "webhook_deliveries"');
    expect(append).toContain('graphile_worker.add_job');
    const deliveries = await t.http
      .get(`/api/v1/tenants/${crew.tenant.id}/webhooks/${webhook.id}/deliveries`)
      .set(crew.owner.auth)
      .expect(200);
    expect(deliveries.body.data).toEqual([expect.objectContaining({ eventType: 'task.updated', status: 'pending' })]);
  });
});
