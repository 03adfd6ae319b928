import { createProject, createTask, type CreatedTask } from '../../factories/projects.js';
import { createTenantCrew, type TenantCrew } from '../../factories/tenants.js';
import { useTestApp } from '../../support/test-app.js';

describe('task relations', () => {
  const t = useTestApp();
  let crew: TenantCrew;
  let projectId: string;

  const tasksPath = () => `/api/v1/tenants/${crew.tenant.id}/tasks`;
  const relations = (task: CreatedTask) => `${tasksPath()}/${task.key}/relations`;
  const newTask = () => createTask(t.http, crew.tenant.id, projectId, crew.member);
  const relate = (from: CreatedTask, type: string, to: CreatedTask | string) =>
    t.http
      .post(relations(from))
      .set(crew.member.auth)
      .send({ type, task: typeof to === 'string' ? to : to.key });
  const relationsOf = async (task: CreatedTask) =>
    (await t.http.get(relations(task)).set(crew.viewer.auth).expect(200)).body;

  beforeAll(async () => {
    crew = await createTenantCrew(t.http);
    projectId = (await createProject(t.http, crew.tenant.id, crew.owner)).id;
  });

  it('relates two tasks of different projects, reads from both ends, and answers a repeat with the same one', async () => {
    const other = await createProject(t.http, crew.tenant.id, crew.owner);
    const [a, b] = [await newTask(), await createTask(t.http, crew.tenant.id, other.id, crew.member)];

    const created = await relate(a, 'blocks', b).expect(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      type: 'blocks',
      task: { id: b.id, key: b.key, title: b.title, status: b.status },
    });
    await t.http
      .get(created.headers.location ?? '')
      .set(crew.viewer.auth)
      .expect(200, created.body);
    expect((await relationsOf(b)).blockedBy).toEqual([
      { id: created.body.id, type: 'blocked_by', task: expect.objectContaining({ id: a.id }) },
    ]);
    // The same relation, said from the other end: no second row.
    const again = await relate(b, 'blocked_by', a).expect(200);
    expect(again.body).toMatchObject({ id: created.body.id, type: 'blocked_by' });

    const related = await relate(a, 'relates_to', b).expect(201);
    const relatedAgain = await relate(b, 'relates_to', a).expect(200);
    expect(relatedAgain.body).toMatchObject({ id: related.body.id, task: { id: a.id } });
    expect(await relationsOf(a)).toMatchObject({
      blocks: [{ id: created.body.id }],
      relatesTo: [{ id: related.body.id }],
    });
  });

  it('refuses a task related to itself, an unknown task and a task of another tenant', async () => {
    const a = await newTask();
    await relate(a, 'relates_to', a).expect(400);
    await relate(a, 'relates_to', a.id).expect(400);
    await relate(a, 'blocks', 'NOPE-1').expect(400);
    await relate(a, 'blocks', 'not a ref').expect(400);

    const elsewhere = await createTenantCrew(t.http);
    const foreign = await createTask(
      t.http,
      elsewhere.tenant.id,
      (await createProject(t.http, elsewhere.tenant.id, elsewhere.owner)).id,
      elsewhere.owner,
    );
    await relate(a, 'blocks', foreign.id).expect(400);
    await t.http.get(relations(foreign)).set(crew.member.auth).expect(404);
  });

  it('never lets blocks close a cycle, at any depth', async () => {
    const [a, b, c] = [await newTask(), await newTask(), await newTask()];
    await relate(a, 'blocks', b).expect(201);
    await relate(b, 'blocks', c).expect(201);
    const cycle = await relate(c, 'blocks', a).expect(409);
    expect(cycle.body.type).toMatch(/blocks-cycle$/);
    await relate(a, 'blocked_by', c).expect(409);
    // Other types are no cycle.
    await relate(c, 'relates_to', a).expect(201);
  });

  it('accepts exactly one of two opposite blocks sent at the same moment', async () => {
    for (let round = 0; round < 10; round++) {
      const [a, b] = [await newTask(), await newTask()];
      const answers = await Promise.all([relate(a, 'blocks', b), relate(b, 'blocks', a)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    }
  });

  it('makes a task the duplicate of at most one task', async () => {
    const [a, b, c, d] = [await newTask(), await newTask(), await newTask(), await newTask()];
    await relate(a, 'duplicate_of', b).expect(201);
    expect((await relate(a, 'duplicate_of', c).expect(409)).body.type).toMatch(/already-duplicate$/);
    await relate(c, 'duplicated_by', a).expect(409); // the same rule, said from the other end
    await relate(b, 'duplicated_by', d).expect(201); // b may have several duplicates
    expect((await relationsOf(b)).duplicatedBy.map((r: { task: { id: string } }) => r.task.id)).toEqual([a.id, d.id]);
  });

  it('records adding and removing on both tasks, and goes with a deleted task', async () => {
    const [a, b, c] = [await newTask(), await newTask(), await newTask()];
    const relation = (await relate(a, 'blocks', b).expect(201)).body;
    await relate(c, 'relates_to', a).expect(201);

    await t.http
      .delete(`${relations(b)}/${relation.id}`)
      .set(crew.member.auth)
      .expect(204);
    await t.http
      .delete(`${relations(b)}/${relation.id}`)
      .set(crew.member.auth)
      .expect(404);
    const activityOf = async (task: CreatedTask) =>
      (await t.http.get(`${tasksPath()}/${task.key}/activity`).set(crew.viewer.auth).expect(200)).body.data;
    expect(await activityOf(a)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'relation_added', field: 'blocks', to: b.id }),
        expect.objectContaining({ action: 'relation_removed', field: 'blocks', from: b.id }),
      ]),
    );
    expect(await activityOf(b)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'relation_removed', field: 'blocked_by', from: a.id }),
      ]),
    );

    await t.http.delete(`${tasksPath()}/${c.key}`).set(crew.owner.auth).expect(204);
    expect((await relationsOf(a)).relatesTo).toEqual([]);
  });

  it('filters lists by blocked: some open task blocks it', async () => {
    const project = await createProject(t.http, crew.tenant.id, crew.owner);
    const make = () => createTask(t.http, crew.tenant.id, project.id, crew.member);
    const [blocker, blocked, free] = [await make(), await make(), await make()];
    await relate(blocker, 'blocks', blocked).expect(201);
    const list = async (blockedParam: string) =>
      (
        await t.http
          .get(`/api/v1/tenants/${crew.tenant.id}/projects/${project.id}/tasks?blocked=${blockedParam}`)
          .set(crew.viewer.auth)
          .expect(200)
      ).body.data.map((task: { id: string }) => task.id);

    expect(await list('true')).toEqual([blocked.id]);
    expect((await list('false')).sort()).toEqual([blocker.id, free.id].sort());
    await t.http.patch(`${tasksPath()}/${blocker.key}`).set(crew.member.auth).send({ status: 'done' }).expect(200);
    expect(await list('true')).toEqual([]);
    await t.http.get(`/api/v1/tenants/${crew.tenant.id}/tasks?blocked=maybe`).set(crew.viewer.auth).expect(400);
  });
});
