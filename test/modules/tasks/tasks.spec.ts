import { useTestApp } from '../../support/test-app.js';
import { createTenantCrew, type TenantCrew } from '../../factories/tenants.js';
import { createLabel, createProject, createTask, type CreatedProject } from '../../factories/projects.js';

describe('tasks', () => {
  const t = useTestApp();
  let crew: TenantCrew;
  let project: CreatedProject;
  const tasks = () => `/api/v1/tenants/${crew.tenant.id}/tasks`;
  beforeAll(async () => {
    crew = await createTenantCrew(t.http);
    project = await createProject(t.http, crew.tenant.id, crew.owner, { key: 'YEL' });
  });

  it('creates a task with every field, a key, a Location and an ETag', async () => {
    const label = await createLabel(t.http, crew.tenant.id, crew.member);
    const response = await t.http
      .post(`/api/v1/tenants/${crew.tenant.id}/projects/${project.id}/tasks`)
      .set(crew.member.auth)
      .send({
        title: '  Write the docs ',
        description: '# Heading',
        status: 'in_progress',
        priority: 'high',
        assigneeId: crew.admin.id,
        dueDate: '2026-12-24',
        labelIds: [label.id],
      })
      .expect(201);
    expect(response.body).toMatchObject({
      key: expect.stringMatching(/^YEL-\d+$/),
      projectId: project.id,
      title: 'Write the docs',
      description: '# Heading',
      status: 'in_progress',
      priority: 'high',
      assigneeId: crew.admin.id,
      reporterId: crew.member.id,
      dueDate: '2026-12-24',
      labelIds: [label.id],
      parentId: null,
      completedAt: null,
      version: 1,
    });
    expect(response.headers.location).toBe(`${tasks()}/${response.body.key}`);
    expect(response.headers.etag).toBe('"1"');
  });

  it('reads a task by id and by key in any case', async () => {
    const task = await createTask(t.http, crew.tenant.id, project.id, crew.member);
    const byId = await t.http.get(`${tasks()}/${task.id}`).set(crew.viewer.auth).expect(200);
    const byKey = await t.http.get(`${tasks()}/${task.key.toLowerCase()}`).set(crew.viewer.auth).expect(200);
    expect(byKey.body).toEqual(byId.body);
    expect(byKey.headers.etag).toBe(`"${task.version}"`);
    // ISO 8601 in UTC, like every other resource: not PostgreSQL's text form.
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
    expect([byId.body.createdAt, byId.body.updatedAt]).toEqual([
      expect.stringMatching(iso),
      expect.stringMatching(iso),
    ]);
    await t.http.get(`${tasks()}/YEL-999999`).set(crew.viewer.auth).expect(404);
    await t.http.get(`${tasks()}/YEL-0`).set(crew.viewer.auth).expect(400);
    await t.http.get(`${tasks()}/not a key`).set(crew.viewer.auth).expect(400);
  });

  it('numbers tasks per project from 1', async () => {
    const other = await createProject(t.http, crew.tenant.id, crew.owner, { key: 'NUM' });
    const first = await createTask(t.http, crew.tenant.id, other.id, crew.member);
    const second = await createTask(t.http, crew.tenant.id, other.id, crew.member);
    expect([first.key, second.key]).toEqual(['NUM-1', 'NUM-2']);
  });

  it('sets completedAt on entering done and clears it on leaving', async () => {
    const task = await createTask(t.http, crew.tenant.id, project.id, crew.member);
    const done = await t.http
      .patch(`${tasks()}/${task.key}`)
      .set(crew.member.auth)
      .send({ status: 'done' })
      .expect(200);
    expect(done.body.completedAt).toEqual(expect.stringMatching(/T.*Z$/));
    const reopened = await t.http
      .patch(`${tasks()}/${task.key}`)
      .set(crew.member.auth)
      .send({ status: 'todo' })
      .expect(200);
    expect(reopened.body.completedAt).toBeNull();
    const createdDone = await createTask(t.http, crew.tenant.id, project.id, crew.member, { status: 'done' });
    expect(createdDone.completedAt).toEqual(expect.any(String));
  });

  it('refuses an assignee who is a viewer, an outsider or nobody', async () => {
    for (const assigneeId of [crew.viewer.id, crew.outsider.id, '0190c7a4-0000-7000-8000-000000000000']) {
      const response = await t.http
        .post(`/api/v1/tenants/${crew.tenant.id}/projects/${project.id}/tasks`)
        .set(crew.member.auth)
        .send({ title: 'x', assigneeId })
        .expect(400);
      expect(response.body.errors).toEqual([{ path: 'assigneeId', message: expect.any(String) }]);
    }
  });

  it('unassigns a member’s tasks when they are demoted to viewer or removed, and logs it', async () => {
    const team = await createTenantCrew(t.http);
    const teamProject = await createProject(t.http, team.tenant.id, team.owner);
    const base = `/api/v1/tenants/${team.tenant.id}`;
    const first = await createTask(t.http, team.tenant.id, teamProject.id, team.owner, { assigneeId: team.member.id });
    const second = await createTask(t.http, team.tenant.id, teamProject.id, team.owner, { assigneeId: team.admin.id });

    await t.http.patch(`${base}/members/${team.member.id}`).set(team.owner.auth).send({ role: 'viewer' }).expect(200);
    await t.http.delete(`${base}/members/${team.admin.id}`).set(team.owner.auth).expect(204);
    for (const task of [first, second]) {
      const read = await t.http.get(`${base}/tasks/${task.id}`).set(team.owner.auth).expect(200);
      expect(read.body).toMatchObject({ assigneeId: null, version: 2 });
      const activity = await t.http.get(`${base}/tasks/${task.id}/activity`).set(team.owner.auth).expect(200);
      expect(activity.body.data[0]).toMatchObject({
        action: 'updated',
        field: 'assigneeId',
        from: task.assigneeId,
        to: null,
      });
    }
  });

  it('keeps sub-tasks in the project, refuses cycles at any depth, and orphans sub-tasks of a deleted task', async () => {
    const root = await createTask(t.http, crew.tenant.id, project.id, crew.member);
    const child = await createTask(t.http, crew.tenant.id, project.id, crew.member, { parentId: root.id });
    const grandchild = await createTask(t.http, crew.tenant.id, project.id, crew.member, { parentId: child.id });
    const cycle = await t.http
      .patch(`${tasks()}/${root.key}`)
      .set(crew.member.auth)
      .send({ parentId: grandchild.id })
      .expect(400);
    expect(cycle.body.errors).toEqual([{ path: 'parentId', message: expect.any(String) }]);
    await t.http.patch(`${tasks()}/${root.key}`).set(crew.member.auth).send({ parentId: root.id }).expect(400);

    const elsewhere = await createProject(t.http, crew.tenant.id, crew.owner);
    await t.http
      .post(`/api/v1/tenants/${crew.tenant.id}/projects/${elsewhere.id}/tasks`)
      .set(crew.member.auth)
      .send({ title: 'x', parentId: root.id })
      .expect(400);

    await t.http.delete(`${tasks()}/${child.key}`).set(crew.member.auth).expect(204);
    const orphan = await t.http.get(`${tasks()}/${grandchild.key}`).set(crew.member.auth).expect(200);
    expect(orphan.body).toMatchObject({ parentId: null, version: 2 });
  });

  it('lets members delete only the tasks they reported; admins delete any', async () => {
    const byAdmin = await createTask(t.http, crew.tenant.id, project.id, crew.admin);
    const response = await t.http.delete(`${tasks()}/${byAdmin.key}`).set(crew.member.auth).expect(403);
    expect(response.body.type).toBe('urn:yello:problem:not-task-reporter');
    const byMember = await createTask(t.http, crew.tenant.id, project.id, crew.member);
    await t.http.delete(`${tasks()}/${byMember.key}`).set(crew.admin.auth).expect(204);
    await t.http.get(`${tasks()}/${byMember.key}`).set(crew.admin.auth).expect(404);
  });

  it('refuses tasks in an archived project with 409, and consumes no number', async () => {
    const archived = await createProject(t.http, crew.tenant.id, crew.owner, { key: 'ARC' });
    await createTask(t.http, crew.tenant.id, archived.id, crew.member);
    const path = `/api/v1/tenants/${crew.tenant.id}/projects/${archived.id}`;
    await t.http.patch(path).set(crew.owner.auth).send({ archived: true }).expect(200);
    const refused = await t.http.post(`${path}/tasks`).set(crew.member.auth).send({ title: 'x' }).expect(409);
    expect(refused.body.type).toBe('urn:yello:problem:project-archived');
    await t.http.patch(path).set(crew.owner.auth).send({ archived: false }).expect(200);
    expect((await createTask(t.http, crew.tenant.id, archived.id, crew.member)).key).toBe('ARC-2');
  });

  it('validates every field', async () => {
    const create = (body: object) =>
      t.http.post(`/api/v1/tenants/${crew.tenant.id}/projects/${project.id}/tasks`).set(crew.member.auth).send(body);
    for (const [body, path] of [
      [{ title: '' }, 'title'],
      [{ title: 'x'.repeat(501) }, 'title'],
      [{ title: 'x', description: 'x'.repeat(50_001) }, 'description'],
      [{ title: 'x', status: 'open' }, 'status'],
      [{ title: 'x', priority: 'critical' }, 'priority'],
      [{ title: 'x', dueDate: '2026-02-30' }, 'dueDate'],
      [{ title: 'x', dueDate: '2026-12-24T00:00:00Z' }, 'dueDate'],
      [
        {
          title: 'x',
          labelIds: Array.from({ length: 21 }, (_, i) => `0190c7a4-0000-7000-8000-${String(i).padStart(12, '0')}`),
        },
        'labelIds',
      ],
      [{ title: 'x', labelIds: ['0190c7a4-0000-7000-8000-000000000000'] }, 'labelIds'],
      [{ title: 'x', version: 7 }, 'version'],
      [{ title: 'x', reporterId: crew.admin.id }, 'reporterId'],
    ] as const) {
      const response = await create(body);
      expect({
        body,
        status: response.status,
        paths: response.body.errors?.map((e: { path: string }) => e.path),
      }).toEqual({
        body,
        status: 400,
        paths: [path],
      });
    }
    await create({ title: 'x'.repeat(500), description: 'y'.repeat(50_000) }).expect(201);
  });
});
