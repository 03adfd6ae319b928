import { createLabel, createProject, createTask, type CreatedTask } from '../../factories/projects.js';
import { createTenantCrew, type TenantCrew } from '../../factories/tenants.js';
import { useTestApp } from '../../support/test-app.js';

describe('bulk task changes', () => {
  const t = useTestApp();
  let crew: TenantCrew;
  let projectId: string;

  const bulk = (body: object) =>
    t.http.post(`/api/v1/tenants/${crew.tenant.id}/tasks/bulk`).set(crew.member.auth).send(body);
  const read = async (task: CreatedTask) =>
    (await t.http.get(`/api/v1/tenants/${crew.tenant.id}/tasks/${task.key}`).set(crew.viewer.auth).expect(200)).body;
  const newTask = (body: Record<string, unknown> = {}) =>
    createTask(t.http, crew.tenant.id, projectId, crew.member, body);

  beforeAll(async () => {
    crew = await createTenantCrew(t.http);
    projectId = (await createProject(t.http, crew.tenant.id, crew.owner)).id;
  });

  it('changes only the named fields, adds and removes labels, and moves each version on with its activity', async () => {
    const [keep, add, drop] = await Promise.all([1, 2, 3].map(() => createLabel(t.http, crew.tenant.id, crew.member)));
    const a = await newTask({ dueDate: '2027-01-15', labelIds: [keep?.id, drop?.id] });
    const b = await newTask({ title: 'B' });

    const { body } = await bulk({
      tasks: [a.key, b.id],
      set: { priority: 'high', assigneeId: crew.member.id },
      addLabelIds: [add?.id],
      removeLabelIds: [drop?.id],
    }).expect(200);
    expect(body.results.map((result: { task: string; status: number }) => [result.task, result.status])).toEqual([
      [a.key, 200],
      [b.id, 200],
    ]);
    const after = await read(a);
    expect(after).toMatchObject({ priority: 'high', assigneeId: crew.member.id, dueDate: '2027-01-15', version: 2 });
    expect(after.labelIds.sort()).toEqual([keep?.id, add?.id].sort());
    expect(await read(b)).toMatchObject({ title: 'B', priority: 'high', labelIds: [add?.id], version: 2 });
    const activity = await t.http
      .get(`/api/v1/tenants/${crew.tenant.id}/tasks/${a.key}/activity`)
      .set(crew.viewer.auth)
      .expect(200);
    expect(
      activity.body.data.map((entry: { action: string; field: string }) => `${entry.action}:${entry.field}`).sort(),
    ).toEqual(
      [
        'created:null',
        'label_added:labelIds',
        'label_removed:labelIds',
        'updated:assigneeId',
        'updated:priority',
      ].sort(),
    );
  });

  it('changes nothing when one task of an atomic change fails, and names it', async () => {
    const [a, b] = [await newTask(), await newTask()];
    const refused = await bulk({ tasks: [a.key, 'NOPE-1', b.key], set: { priority: 'urgent' } }).expect(404);
    expect(refused.body).toMatchObject({
      type: 'urn:yello:problem:bulk-change-failed',
      errors: [{ index: 1, task: 'NOPE-1', status: 404, path: 'tasks.1' }],
    });
    const unknownState = await bulk({ tasks: [a.key, b.key], set: { status: 'shipped' } }).expect(400);
    expect(unknownState.body.errors).toEqual([expect.objectContaining({ status: 400 })]);
    expect(await read(a)).toMatchObject({ priority: 'none', status: 'todo', version: 1 });
    expect(await read(b)).toMatchObject({ priority: 'none', version: 1 });
  });

  it('reports each task on its own when not atomic', async () => {
    const [a, b] = [await newTask(), await newTask()];
    const { body } = await bulk({
      tasks: [a.key, 'NOPE-1', b.key],
      set: { status: 'in_progress' },
      atomic: false,
    }).expect(200);
    expect(body.results).toEqual([
      expect.objectContaining({ task: a.key, status: 200, data: expect.objectContaining({ status: 'in_progress' }) }),
      expect.objectContaining({ task: 'NOPE-1', status: 404, problem: expect.objectContaining({ status: 404 }) }),
      expect.objectContaining({ task: b.key, status: 200 }),
    ]);
  });

  it("moves tasks into each project's state of the key, at the bottom of its column, completedAt following it", async () => {
    const other = await createProject(t.http, crew.tenant.id, crew.owner);
    await t.http
      .post(`/api/v1/tenants/${crew.tenant.id}/projects/${projectId}/states`)
      .set(crew.owner.auth)
      .send({ key: 'shipped', name: 'Shipped', category: 'completed' })
      .expect(201);
    const already = await newTask({ status: 'shipped' });
    const [p1, p2] = [await newTask(), await newTask()];
    const elsewhere = await createTask(t.http, crew.tenant.id, other.id, crew.member);

    const { body } = await bulk({ tasks: [elsewhere.key, p2.key, p1.key], set: { status: 'shipped' }, atomic: false });
    expect(body.results.map((result: { status: number }) => result.status)).toEqual([400, 200, 200]);
    expect(body.results[0].problem.detail).toContain('todo, in_progress');
    const moved = await Promise.all([already, p1, p2].map(read));
    expect(moved.map((task) => [task.status, task.statusCategory])).toEqual(Array(3).fill(['shipped', 'completed']));
    expect(moved.filter((task) => task.completedAt === null)).toEqual([]);
    // Below the task already there, in id order, each position its own.
    const byPosition = [...moved].sort((a, b) => (a.position < b.position ? -1 : 1)).map((task) => task.id);
    expect(byPosition).toEqual([already.id, ...[p1.id, p2.id].sort()]);

    const refused = await bulk({ tasks: [p1.key, elsewhere.key], set: { status: 'shipped' } }).expect(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ index: 1, task: elsewhere.key, status: 400 })]);
    await bulk({ tasks: [p1.key, p2.key], set: { status: 'todo' } }).expect(200);
    expect(await read(p1)).toMatchObject({
      status: 'todo',
      statusCategory: 'unstarted',
      completedAt: null,
      version: 3,
    });
  });

  it('re-parents tasks under the rules of a PATCH: same project, never under themselves', async () => {
    const root = await newTask();
    const mid = await newTask({ parentId: root.id });
    const [a, b] = [await newTask(), await newTask()];
    const elsewhere = await createTask(
      t.http,
      crew.tenant.id,
      (await createProject(t.http, crew.tenant.id, crew.owner)).id,
      crew.member,
    );

    const refused = await bulk({ tasks: [a.key, b.key, root.key], set: { parentId: mid.id } }).expect(400);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ index: 2, task: root.key, status: 400, path: 'tasks.2' }),
    ]);
    expect(await read(a)).toMatchObject({ parentId: null, version: 1 });

    const { body } = await bulk({
      tasks: [a.key, root.key, elsewhere.key, b.id],
      set: { parentId: mid.id },
      atomic: false,
    });
    expect(body.results.map((result: { status: number }) => result.status)).toEqual([200, 400, 400, 200]);
    expect(body.results[1].problem.detail).toContain('one of its sub-tasks');
    expect(body.results[2].problem.detail).toContain('same project');
    expect(await read(b)).toMatchObject({ parentId: mid.id, version: 2 });
    expect(await read(root)).toMatchObject({ parentId: null, version: 1 });
  });

  it('changes a task named twice once, and records an event for each task that changed and none for the others', async () => {
    const events = async (after: number) =>
      (await t.http.get(`/api/v1/tenants/${crew.tenant.id}/events`).query({ after }).set(crew.viewer.auth).expect(200))
        .body;
    const [a, b] = [await newTask(), await newTask({ priority: 'high' })];
    const label = await createLabel(t.http, crew.tenant.id, crew.member);
    const { nextAfter: start } = await events(0);

    const { body } = await bulk({ tasks: [a.key, a.id, b.key], set: { priority: 'high' } }).expect(200);
    expect(body.results.map((result: { data: { version: number } }) => result.data.version)).toEqual([2, 2, 1]);
    const { data } = await events(start);
    expect(data).toEqual([
      expect.objectContaining({
        type: 'task.updated',
        data: expect.objectContaining({ changes: { priority: { from: 'none', to: 'high' } } }),
      }),
    ]);

    // Label ids in any case, as UUIDs are.
    await bulk({ tasks: [a.key, a.id], addLabelIds: [label.id.toUpperCase()] }).expect(200);
    await bulk({ tasks: [a.key], addLabelIds: [label.id] }).expect(200);
    expect(await read(a)).toMatchObject({ labelIds: [label.id], version: 3 });
  });

  it('refuses to give a task more than 20 labels', async () => {
    const labels = await Promise.all(
      Array.from({ length: 21 }, () => createLabel(t.http, crew.tenant.id, crew.member)),
    );
    const ids = labels.map((label) => label.id);
    const full = await newTask({ labelIds: ids.slice(0, 20) });
    const light = await newTask();
    const refused = await bulk({ tasks: [light.key, full.key], addLabelIds: ids.slice(19) }).expect(400);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ index: 1, status: 400, detail: expect.stringContaining('more than 20 labels') }),
    ]);
    expect(await read(light)).toMatchObject({ labelIds: [], version: 1 });
  });

  it('refuses a request without a change, over 100 tasks, or repeating a task', async () => {
    const a = await newTask();
    await bulk({ tasks: [a.key] }).expect(400);
    await bulk({ tasks: Array.from({ length: 101 }, (_, i) => `X-${i + 1}`), set: { priority: 'low' } }).expect(400);
    await bulk({ tasks: [a.key, a.key], set: { priority: 'low' } }).expect(400);
    await bulk({ tasks: [a.key], addLabelIds: ['not-a-uuid'] }).expect(400);
  });

  it('replays an Idempotency-Key, and never fails two overlapping changes sent at once', async () => {
    const tasks = await Promise.all(Array.from({ length: 6 }, () => newTask()));
    const keys = tasks.map((task) => task.key);
    const first = await bulk({ tasks: keys, set: { priority: 'low' } })
      .set('Idempotency-Key', 'bulk-1')
      .expect(200);
    const replay = await bulk({ tasks: keys, set: { priority: 'low' } })
      .set('Idempotency-Key', 'bulk-1')
      .expect(200);
    expect(replay.body).toEqual(first.body);

    const statuses: number[] = [];
    for (let round = 0; round < 25; round++) {
      const answers = await Promise.all([
        bulk({ tasks: keys.slice(0, 4), set: { status: round % 2 ? 'in_progress' : 'todo', parentId: null } }),
        bulk({ tasks: [...keys.slice(2)].reverse(), set: { priority: round % 2 ? 'high' : 'low' }, atomic: false }),
      ]);
      statuses.push(...answers.map((answer) => answer.status));
    }
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  });
});
