import { jest } from '@jest/globals';
import { textOf } from '../../support/sql-text.js';
import { useTestApp } from '../../support/test-app.js';
import { createTenantCrew, type TenantCrew } from '../../factories/tenants.js';
import { createLabel, createProject, createTask } from '../../factories/projects.js';
import { built } from '../../support/built.js';

// The app's own entity classes and driver (see built.ts).
const [{ TENANT_FILTER }, { Tenant }, { Label }, { Project }, { Task }, { default: pg }] = await Promise.all([
  built('./modules/tenants/entities/tenant-scoped.entity.js'),
  built('./modules/tenants/entities/tenant.entity.js'),
  built('./modules/tasks/entities/label.entity.js'),
  built('./modules/projects/entities/project.entity.js'),
  built('./modules/tasks/entities/task.entity.js'),
  built('pg'),
]);

const TENANT_TABLES = [
  'memberships',
  'invitations',
  'projects',
  'tasks',
  'labels',
  'task_labels',
  'comments',
  'activity_events',
];
const TOUCHES_TENANT_TABLE = new RegExp(`\\b(from|into|update|join)\\s+"?(${TENANT_TABLES.join('|')})"?(\\s|$)`, 'i');
/**
 * Writes of the unit of work address rows it loaded through the tenant filter by primary
 * key; inserts carry tenant_id among their columns.
 */
const UNIT_OF_WORK_BY_KEY =
  /^(update "\w+" set .* where "id" (=|in) |delete from "\w+" where \("task_id", "label_id"\) in |select 1 from "\w+" as "\w+" where "\w+"\."id" = .* for update)/i;

describe('tenant scope of every statement and write', () => {
  const t = useTestApp();
  let a: TenantCrew;
  let b: TenantCrew;
  beforeAll(async () => {
    [a, b] = await Promise.all([createTenantCrew(t.http), createTenantCrew(t.http)]);
  });

  it('names the tenant in every statement on tenant data that the task, label, comment and member flows send', async () => {
    // At the driver (calls pass through): the statements of MikroORM and of typed Kysely alike, as sent.
    const spy = jest.spyOn(pg.Client.prototype, 'query');
    try {
      const base = `/api/v1/tenants/${a.tenant.id}`;
      const project = await createProject(t.http, a.tenant.id, a.owner);
      const label = await createLabel(t.http, a.tenant.id, a.owner);
      const parent = await createTask(t.http, a.tenant.id, project.id, a.owner, { assigneeId: a.member.id });
      const task = await createTask(t.http, a.tenant.id, project.id, a.member, {
        labelIds: [label.id],
        parentId: parent.id,
      });
      await t.http
        .patch(`${base}/tasks/${task.key}`)
        .set(a.member.auth)
        .send({ status: 'done', labelIds: [], moveTo: 'top', parentId: null })
        .expect(200);
      await t.http
        .patch(`${base}/tasks/${task.key}`)
        .set(a.member.auth)
        .send({ moveAfter: parent.key, status: parent.status })
        .expect(200);
      const sibling = await createTask(t.http, a.tenant.id, project.id, a.member);
      await t.http
        .post(`${base}/tasks/bulk`)
        .set(a.member.auth)
        .send({
          tasks: [task.key, sibling.key],
          set: { status: 'in_review', parentId: parent.id, assigneeId: a.member.id },
          addLabelIds: [label.id],
        })
        .expect(200);
      await t.http
        .post(`${base}/tasks/bulk`)
        .set(a.member.auth)
        .send({ tasks: [task.key, sibling.key], set: { status: 'todo' }, removeLabelIds: [label.id], atomic: false })
        .expect(200);
      await t.http
        .get(`${base}/tasks?q=task&status=todo,done&assigneeId=me&labelId=${label.id}&sort=-dueDate`)
        .set(a.member.auth)
        .expect(200);
      await t.http.get(`${base}/projects/${project.id}`).set(a.member.auth).expect(200);
      const comment = await t.http
        .post(`${base}/tasks/${task.key}/comments`)
        .set(a.member.auth)
        .send({ body: 'x' })
        .expect(201);
      await t.http.delete(`${base}/tasks/${task.key}/comments/${comment.body.id}`).set(a.member.auth).expect(204);
      await t.http.patch(`${base}/members/${a.member.id}`).set(a.owner.auth).send({ role: 'viewer' }).expect(200);
      await t.http.delete(`${base}/labels/${label.id}`).set(a.owner.auth).expect(204);
      await t.http.delete(`${base}/tasks/${parent.key}`).set(a.owner.auth).expect(204);
      await t.http.delete(`${base}/projects/${project.id}`).set(a.owner.auth).expect(204);

      const statements = spy.mock.calls.map(([query]: unknown[]) => textOf(query).replace(/\s+/g, ' ').trim());
      const unscoped = statements.filter(
        (sql) => TOUCHES_TENANT_TABLE.test(sql) && !sql.includes('tenant_id') && !UNIT_OF_WORK_BY_KEY.test(sql),
      );
      expect(statements.length).toBeGreaterThan(50);
      expect(unscoped).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses to flush a row of another tenant in a tenant-scoped unit of work', async () => {
    const em = t.orm.em.fork();
    em.setFilterParams(TENANT_FILTER, { tenantId: a.tenant.id });
    em.create(Label, { tenant: em.getReference(Tenant, b.tenant.id), name: 'Sneaky', color: '#000000' });
    await expect(em.flush()).rejects.toThrow('written in a request of tenant');
  });

  it('refuses to flush a reference to a loaded row of another tenant', async () => {
    const projectOfB = await createProject(t.http, b.tenant.id, b.owner);
    const em = t.orm.em.fork();
    const project = await em.findOneOrFail(Project, { id: projectOfB.id }, { filters: { [TENANT_FILTER]: false } });
    em.create(Task, {
      tenant: em.getReference(Tenant, a.tenant.id),
      project,
      key: 'X-1',
      number: 1,
      title: 'Sneaky',
      status: 'todo',
      statusCategory: 'unstarted',
      reporter: null,
      position: 'a0',
    });
    await expect(em.flush()).rejects.toThrow('references a row of another tenant');
  });

  it('refuses, in the database, a link between rows of two tenants', async () => {
    const projectOfA = await createProject(t.http, a.tenant.id, a.owner);
    const taskOfA = await createTask(t.http, a.tenant.id, projectOfA.id, a.owner);
    const labelOfB = await createLabel(t.http, b.tenant.id, b.owner);
    const connection = t.orm.em.getConnection();
    await expect(
      connection.execute('insert into task_labels (tenant_id, task_id, label_id) values (?, ?, ?)', [
        a.tenant.id,
        taskOfA.id,
        labelOfB.id,
      ]),
    ).rejects.toThrow(/task_labels_tenant_label_foreign/);
    await expect(
      connection.execute('update tasks set assignee_id = ? where tenant_id = ? and id = ?', [
        b.owner.id,
        a.tenant.id,
        taskOfA.id,
      ]),
    ).rejects.toThrow(/tasks_tenant_assignee_foreign/);
  });
});
