import { createProject, createTask, type CreatedProject } from '../../factories/projects.js';
import { createTenantCrew, type TenantCrew } from '../../factories/tenants.js';
import { useTestApp } from '../../support/test-app.js';

interface State {
  id: string;
  key: string;
  name: string;
  category: string;
  color: string | null;
  position: string;
  isDefault: boolean;
}

describe('workflow states', () => {
  const t = useTestApp();
  let crew: TenantCrew;
  let project: CreatedProject;

  const statesPath = (p = project) => `/api/v1/tenants/${crew.tenant.id}/projects/${p.id}/states`;
  const states = async (p = project): Promise<State[]> =>
    (await t.http.get(statesPath(p)).set(crew.viewer.auth).expect(200)).body.data;
  const stateOf = async (key: string, p = project): Promise<State> => {
    const state = (await states(p)).find((candidate) => candidate.key === key);
    if (!state) throw new Error(`No state ${key}`);
    return state;
  };
  const addState = (body: Record<string, unknown>, p = project) =>
    t.http.post(statesPath(p)).set(crew.admin.auth).send(body);
  const task = (ref: string) =>
    t.http.get(`/api/v1/tenants/${crew.tenant.id}/tasks/${ref}`).set(crew.viewer.auth).expect(200);

  beforeAll(async () => {
    crew = await createTenantCrew(t.http);
  });

  beforeEach(async () => {
    project = await createProject(t.http, crew.tenant.id, crew.admin);
  });

  it('gives a new project the six states, todo the default, in board order', async () => {
    expect((await states()).map(({ key, category, isDefault }) => [key, category, isDefault])).toEqual([
      ['backlog', 'backlog', false],
      ['todo', 'unstarted', true],
      ['in_progress', 'started', false],
      ['in_review', 'started', false],
      ['done', 'completed', false],
      ['canceled', 'canceled', false],
    ]);
    const created = await createTask(t.http, crew.tenant.id, project.id, crew.member);
    expect(created).toMatchObject({ status: 'todo', statusCategory: 'unstarted', completedAt: null });
  });

  it('creates a custom state where asked, moves it, makes it the default; admins only', async () => {
    const review = await stateOf('in_review');
    await addState({ key: 'qa', name: 'QA', category: 'started' }).expect(201);
    await t.http
      .post(statesPath())
      .set(crew.member.auth)
      .send({ key: 'qa2', name: 'QA', category: 'started' })
      .expect(403);
    const created = await addState({
      key: 'triage',
      name: 'Triage',
      category: 'unstarted',
      color: '#AABBCC',
      moveBefore: review.id,
    }).expect(201);
    expect(created.body).toMatchObject({ key: 'triage', color: '#aabbcc', isDefault: false });
    expect(created.headers.location).toBe(`${statesPath()}/${created.body.id}`);
    expect((await states()).map((state) => state.key)).toEqual([
      'backlog',
      'todo',
      'in_progress',
      'triage',
      'in_review',
      'done',
      'canceled',
      'qa',
    ]);
    await addState({ key: 'qa', name: 'Again', category: 'started' }).expect(409);

    const backlog = await stateOf('backlog');
    const moved = await t.http
      .patch(`${statesPath()}/${created.body.id}`)
      .set(crew.admin.auth)
      .send({ moveBefore: backlog.id, name: 'Inbox', isDefault: true })
      .expect(200);
    expect(moved.body).toMatchObject({ key: 'triage', name: 'Inbox', isDefault: true, category: 'unstarted' });
    const board = await states();
    expect(board.map((state) => state.key).slice(0, 2)).toEqual(['triage', 'backlog']);
    expect(board.filter((state) => state.isDefault).map((state) => state.key)).toEqual(['triage']);
    // New tasks without a status go to the new default.
    expect(await createTask(t.http, crew.tenant.id, project.id, crew.member)).toMatchObject({ status: 'triage' });
    // The key and the category never change.
    await t.http.patch(`${statesPath()}/${created.body.id}`).set(crew.admin.auth).send({ key: 'x' }).expect(400);
    await t.http
      .patch(`${statesPath()}/${created.body.id}`)
      .set(crew.admin.auth)
      .send({ category: 'started' })
      .expect(400);
  });

  it('deletes a state with moveTo: its tasks go to the bottom of the target in their order, with activity', async () => {
    const qa = (await addState({ key: 'qa', name: 'QA', category: 'started' }).expect(201)).body as State;
    const done = await stateOf('done');
    const kept = await createTask(t.http, crew.tenant.id, project.id, crew.member, { status: 'done' });
    const first = await createTask(t.http, crew.tenant.id, project.id, crew.member, { status: 'qa' });
    const second = await createTask(t.http, crew.tenant.id, project.id, crew.member, { status: 'qa' });
    await t.http
      .patch(`/api/v1/tenants/${crew.tenant.id}/tasks/${second.key}`)
      .set(crew.member.auth)
      .send({ moveTo: 'top' })
      .expect(200);

    await t.http.delete(`${statesPath()}/${qa.id}`).set(crew.member.auth).expect(403);
    const refused = await t.http.delete(`${statesPath()}/${qa.id}`).set(crew.admin.auth).expect(409);
    expect(refused.body).toMatchObject({ type: 'urn:yello:problem:state-not-empty', taskCount: 2 });
    await t.http.delete(`${statesPath()}/${qa.id}?moveTo=${qa.id}`).set(crew.admin.auth).expect(400);

    await t.http.delete(`${statesPath()}/${qa.id}?moveTo=${done.id}`).set(crew.admin.auth).expect(204);
    expect((await states()).map((state) => state.key)).not.toContain('qa');
    const [movedFirst, movedSecond, stayed] = await Promise.all([task(first.key), task(second.key), task(kept.key)]);
    expect(movedFirst.body).toMatchObject({ status: 'done', statusCategory: 'completed', version: 2 });
    expect(movedFirst.body.completedAt).toEqual(expect.any(String));
    // Below the task already there, in their order in the deleted column (second was on top).
    expect(stayed.body.position < movedSecond.body.position).toBe(true);
    expect(movedSecond.body.position < movedFirst.body.position).toBe(true);
    const activity = await t.http
      .get(`/api/v1/tenants/${crew.tenant.id}/tasks/${first.key}/activity`)
      .set(crew.viewer.auth)
      .expect(200);
    expect(activity.body.data[0]).toMatchObject({ action: 'updated', field: 'status', from: 'qa', to: 'done' });
    const events = await t.http
      .get(`/api/v1/tenants/${crew.tenant.id}/events?projectId=${project.id}&types=task.updated,state.deleted`)
      .set(crew.viewer.auth)
      .expect(200);
    const recorded: {
      type: string;
      data: { task?: { key: string }; changes?: { status?: { from: string; to: string } }; movedTo?: string };
    }[] = events.body.data;
    const moves = recorded.filter(
      (event) => event.data.changes?.status?.from === 'qa' && event.data.changes.status.to === 'done',
    );
    expect(moves.map((event) => event.data.task?.key).sort()).toEqual([first.key, second.key].sort());
    expect(recorded.at(-1)).toMatchObject({ type: 'state.deleted', data: { movedTo: 'done' } });
  });

  it('keeps the default state and the last unstarted and completed ones', async () => {
    const todo = await stateOf('todo');
    const conflict = async (state: State, type: string) => {
      const response = await t.http.delete(`${statesPath()}/${state.id}`).set(crew.admin.auth).expect(409);
      expect(response.body.type).toBe(`urn:yello:problem:${type}`);
    };
    await conflict(todo, 'default-state');
    await conflict(await stateOf('done'), 'last-state-of-category');
    const other = (await addState({ key: 'ready', name: 'Ready', category: 'unstarted' }).expect(201)).body as State;
    await t.http.patch(`${statesPath()}/${other.id}`).set(crew.admin.auth).send({ isDefault: true }).expect(200);
    await t.http.delete(`${statesPath()}/${todo.id}`).set(crew.admin.auth).expect(204);
    await conflict(other, 'default-state');
    // Empty states of other categories go freely, even the last of their kind.
    await t.http
      .delete(`${statesPath()}/${(await stateOf('backlog')).id}`)
      .set(crew.admin.auth)
      .expect(204);
    expect((await states()).map((state) => state.key)).toEqual([
      'in_progress',
      'in_review',
      'done',
      'canceled',
      'ready',
    ]);
  });

  it('refuses an unknown status key with the project’s keys, and follows the category for completedAt', async () => {
    await addState({ key: 'shipped', name: 'Shipped', category: 'completed' }).expect(201);
    const tasks = `/api/v1/tenants/${crew.tenant.id}/projects/${project.id}/tasks`;
    const refused = await t.http.post(tasks).set(crew.member.auth).send({ title: 'x', status: 'qa' }).expect(400);
    expect(refused.body.type).toBe('urn:yello:problem:unknown-status');
    expect(refused.body.detail).toContain('backlog, todo, in_progress, in_review, done, canceled, shipped');
    expect(refused.body.errors).toEqual([{ path: 'status', message: expect.stringContaining('shipped') }]);

    const created = await createTask(t.http, crew.tenant.id, project.id, crew.member, { status: 'shipped' });
    expect(created).toMatchObject({ statusCategory: 'completed', completedAt: expect.any(String) });
    const taskPath = `/api/v1/tenants/${crew.tenant.id}/tasks/${created.key}`;
    await t.http.patch(taskPath).set(crew.member.auth).send({ status: 'nope' }).expect(400);
    const kept = await t.http.patch(taskPath).set(crew.member.auth).send({ status: 'done' }).expect(200);
    expect(kept.body).toMatchObject({ statusCategory: 'completed', completedAt: created.completedAt });
    const reopened = await t.http.patch(taskPath).set(crew.member.auth).send({ status: 'in_progress' }).expect(200);
    expect(reopened.body).toMatchObject({ statusCategory: 'started', completedAt: null });

    // A key of another project's states is not one of this project's.
    const other = await createProject(t.http, crew.tenant.id, crew.admin);
    await addState({ key: 'parked', name: 'Parked', category: 'backlog' }, other).expect(201);
    await t.http.patch(taskPath).set(crew.member.auth).send({ status: 'parked' }).expect(400);
  });

  it('filters by state keys and categories, sorts by the board order, and counts tasks per state', async () => {
    const todo = await stateOf('todo');
    await addState({
      key: 'first',
      name: 'First',
      category: 'backlog',
      moveBefore: (await stateOf('backlog')).id,
    }).expect(201);
    const a = await createTask(t.http, crew.tenant.id, project.id, crew.member, { status: 'in_progress' });
    const b = await createTask(t.http, crew.tenant.id, project.id, crew.member, { status: 'first' });
    const c = await createTask(t.http, crew.tenant.id, project.id, crew.member);
    // `done` moves before `todo`: the board order is the states' order, not the keys'.
    await t.http
      .patch(`${statesPath()}/${(await stateOf('done')).id}`)
      .set(crew.admin.auth)
      .send({ moveAfter: todo.id })
      .expect(200);
    const d = await createTask(t.http, crew.tenant.id, project.id, crew.member, { status: 'done' });
    const list = (query: string) =>
      t.http
        .get(`/api/v1/tenants/${crew.tenant.id}/projects/${project.id}/tasks?${query}`)
        .set(crew.viewer.auth)
        .expect(200);
    const keys = (response: { body: { data: { key: string }[] } }) => response.body.data.map((item) => item.key);

    expect(keys(await list('sort=position'))).toEqual([b.key, c.key, d.key, a.key]);
    expect(keys(await list('sort=-position'))).toEqual([a.key, d.key, c.key, b.key]);
    const paged = await list('sort=position&limit=2');
    expect(keys(await list(`sort=position&limit=2&cursor=${paged.body.nextCursor}`))).toEqual([d.key, a.key]);
    expect(keys(await list('status=first,done&sort=position'))).toEqual([b.key, d.key]);
    expect(keys(await list('statusCategory=started,completed&sort=position'))).toEqual([d.key, a.key]);

    const detail = await t.http
      .get(`/api/v1/tenants/${crew.tenant.id}/projects/${project.id}`)
      .set(crew.viewer.auth)
      .expect(200);
    expect(detail.body.taskCounts).toEqual({
      first: 1,
      backlog: 0,
      todo: 1,
      done: 1,
      in_progress: 1,
      in_review: 0,
      canceled: 0,
    });
  });

  it('answers 404 for a state or project of another tenant, and for another project’s state', async () => {
    const outsider = await createTenantCrew(t.http);
    const state = await stateOf('backlog');
    const foreign = `/api/v1/tenants/${outsider.tenant.id}/projects/${project.id}/states`;
    await t.http.get(foreign).set(outsider.owner.auth).expect(404);
    await t.http.patch(`${foreign}/${state.id}`).set(outsider.owner.auth).send({ name: 'Mine' }).expect(404);
    await t.http.delete(`${foreign}/${state.id}`).set(outsider.owner.auth).expect(404);
    await t.http.get(statesPath()).set(outsider.owner.auth).expect(404);
    const other = await createProject(t.http, crew.tenant.id, crew.admin);
    await t.http
      .patch(`${statesPath(other)}/${state.id}`)
      .set(crew.admin.auth)
      .send({ name: 'X' })
      .expect(404);
    const otherState = await stateOf('done', other);
    await t.http.delete(`${statesPath()}/${state.id}?moveTo=${otherState.id}`).set(crew.admin.auth).expect(400);
    await addState({ key: 'x', name: 'X', category: 'started', moveAfter: otherState.id }).expect(400);
  });
});
