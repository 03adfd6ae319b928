import { useTestApp } from '../../support/test-app.js';
import { createTenantCrew, type TenantCrew } from '../../factories/tenants.js';
import { createLabel, createProject, createTask, type CreatedProject } from '../../factories/projects.js';

describe('task changes', () => {
  const t = useTestApp();
  let crew: TenantCrew;
  let project: CreatedProject;
  const taskPath = (ref: string) => `/api/v1/tenants/${crew.tenant.id}/tasks/${ref}`;
  const newTask = (body: Record<string, unknown> = {}) =>
    createTask(t.http, crew.tenant.id, project.id, crew.member, body);
  const activity = async (ref: string) =>
    (
      await t.http
        .get(`${taskPath(ref)}/activity?limit=100`)
        .set(crew.viewer.auth)
        .expect(200)
    ).body.data;
  beforeAll(async () => {
    crew = await createTenantCrew(t.http);
    project = await createProject(t.http, crew.tenant.id, crew.owner);
  });

  it('records each changed field with from and to, newest first, and nothing for unchanged ones', async () => {
    const task = await newTask({ title: 'Old', priority: 'low' });
    await t.http
      .patch(taskPath(task.key))
      .set(crew.member.auth)
      .send({ title: 'New', priority: 'low', dueDate: '2027-01-31', assigneeId: crew.member.id })
      .expect(200);
    const entries = await activity(task.key);
    const summary = entries.map(({ action, field, from, to }: Record<string, unknown>) => ({
      action,
      field,
      from,
      to,
    }));
    expect(summary).toHaveLength(4);
    expect(summary.at(-1)).toEqual({ action: 'created', field: null, from: null, to: null });
    expect(summary.slice(0, 3)).toEqual(
      expect.arrayContaining([
        { action: 'updated', field: 'title', from: 'Old', to: 'New' },
        { action: 'updated', field: 'assigneeId', from: null, to: crew.member.id },
        { action: 'updated', field: 'dueDate', from: null, to: '2027-01-31' },
      ]),
    );
    expect(entries[0].actorId).toBe(crew.member.id);
    const unchanged = await t.http.patch(taskPath(task.key)).set(crew.member.auth).send({ title: 'New' }).expect(200);
    expect(unchanged.body.version).toBe(2);
  });

  it('lets exactly one of N concurrent PATCHes with the same If-Match win, with one set of activity', async () => {
    const task = await newTask();
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.http
          .patch(taskPath(task.key))
          .set(crew.member.auth)
          .set('If-Match', '"1"')
          .send({ title: `Attempt ${i}` }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, ...Array<number>(9).fill(412)]);
    const entries = await activity(task.key);
    expect(entries.filter((e: { action: string }) => e.action === 'updated')).toHaveLength(1);
    const winner = responses.find((r) => r.status === 200);
    expect(winner?.headers.etag).toBe('"2"');
    await t.http.delete(taskPath(task.key)).set(crew.member.auth).set('If-Match', '"1"').expect(412);
    await t.http.patch(taskPath(task.key)).set(crew.member.auth).set('If-Match', '2').send({ title: 'x' }).expect(400);
  });

  it('replaces labels as a set, logging each one added or removed, and bumps the version', async () => {
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => createLabel(t.http, crew.tenant.id, crew.member)));
    const task = await newTask({ labelIds: [a?.id, b?.id] });
    const changed = await t.http
      .patch(taskPath(task.key))
      .set(crew.member.auth)
      .send({ labelIds: [b?.id, c?.id] })
      .expect(200);
    expect(changed.body).toMatchObject({ labelIds: [b?.id, c?.id].sort(), version: 2 });
    const entries = await activity(task.key);
    expect(entries.slice(0, 2).map(({ action, from, to }: Record<string, unknown>) => ({ action, from, to }))).toEqual(
      expect.arrayContaining([
        { action: 'label_added', from: null, to: c?.id },
        { action: 'label_removed', from: a?.id, to: null },
      ]),
    );
    const tooMany = Array.from({ length: 21 }, () => c?.id);
    await t.http.patch(taskPath(task.key)).set(crew.member.auth).send({ labelIds: tooMany }).expect(400);
  });

  it('converges under concurrent label changes: every response valid, the last state consistent', async () => {
    const labels = await Promise.all([1, 2, 3, 4].map(() => createLabel(t.http, crew.tenant.id, crew.member)));
    const task = await newTask();
    const sets = [[0, 1], [1, 2], [2, 3], [0, 3], [], [0, 1, 2, 3]].map((indexes) => indexes.map((i) => labels[i]?.id));
    const responses = await Promise.all(
      sets.map((labelIds) => t.http.patch(taskPath(task.key)).set(crew.member.auth).send({ labelIds })),
    );
    expect(responses.map((r) => r.status)).toEqual(sets.map(() => 200));
    const final = (await t.http.get(taskPath(task.key)).set(crew.member.auth).expect(200)).body;
    const last = responses.reduce((newest, r) => (r.body.version > newest.body.version ? r : newest));
    expect(final.labelIds).toEqual(last.body.labelIds);
    const orm = t.orm;
    const [links] = await orm.em
      .getConnection()
      .execute<{ count: number }[]>(
        'select count(*)::int as count from task_labels where tenant_id = ? and task_id = ?',
        [crew.tenant.id, task.id],
      );
    expect(links?.count).toBe(final.labelIds.length);
  });

  it('removes a deleted label from its tasks', async () => {
    const label = await createLabel(t.http, crew.tenant.id, crew.member);
    const task = await newTask({ labelIds: [label.id] });
    await t.http.delete(`/api/v1/tenants/${crew.tenant.id}/labels/${label.id}`).set(crew.member.auth).expect(204);
    const read = await t.http.get(taskPath(task.key)).set(crew.member.auth).expect(200);
    expect(read.body).toMatchObject({ labelIds: [], version: 2 });
    expect((await activity(task.key))[0]).toMatchObject({ action: 'label_removed', from: label.id });
  });

  it('moves a task between neighbours, to the top and to the bottom, writing only that task', async () => {
    const column = await createProject(t.http, crew.tenant.id, crew.owner);
    const created = [];
    for (const title of ['a', 'b', 'c'])
      created.push(await createTask(t.http, crew.tenant.id, column.id, crew.member, { title }));
    const order = async () =>
      (
        await t.http
          .get(`/api/v1/tenants/${crew.tenant.id}/projects/${column.id}/tasks?sort=position`)
          .set(crew.member.auth)
          .expect(200)
      ).body.data.map((task: { title: string }) => task.title);
    expect(await order()).toEqual(['a', 'b', 'c']);
    const [first, second, third] = created;
    if (!first || !second || !third) throw new Error('setup');
    await t.http.patch(taskPath(third.key)).set(crew.member.auth).send({ moveAfter: first.key }).expect(200);
    expect(await order()).toEqual(['a', 'c', 'b']);
    await t.http.patch(taskPath(first.key)).set(crew.member.auth).send({ moveBefore: second.key }).expect(200);
    expect(await order()).toEqual(['c', 'a', 'b']);
    await t.http.patch(taskPath(second.key)).set(crew.member.auth).send({ moveTo: 'top' }).expect(200);
    expect(await order()).toEqual(['b', 'c', 'a']);
    await t.http.patch(taskPath(second.key)).set(crew.member.auth).send({ moveTo: 'bottom' }).expect(200);
    expect(await order()).toEqual(['c', 'a', 'b']);
    const untouched = (await t.http.get(taskPath(third.key)).set(crew.member.auth).expect(200)).body.version;
    expect(untouched).toBe(2);

    const refused = await t.http
      .patch(taskPath(first.key))
      .set(crew.member.auth)
      .send({ moveAfter: first.key })
      .expect(400);
    expect(refused.body.errors).toEqual([{ path: 'moveAfter', message: expect.any(String) }]);
    await t.http
      .patch(taskPath(first.key))
      .set(crew.member.auth)
      .send({ moveTo: 'top', moveAfter: second.key })
      .expect(400);
    const moved = await t.http.patch(taskPath(first.key)).set(crew.member.auth).send({ status: 'done' }).expect(200);
    await t.http
      .patch(taskPath(second.key))
      .set(crew.member.auth)
      .send({ status: 'done', moveBefore: first.key })
      .expect(200);
    expect(moved.body.status).toBe('done');
  });
});
