import { useTestApp } from '../../support/test-app.js';
import { createTenantCrew, type TenantCrew } from '../../factories/tenants.js';
import { createProject, createTask, type CreatedTask } from '../../factories/projects.js';

describe('comments', () => {
  const t = useTestApp();
  let crew: TenantCrew;
  let task: CreatedTask;
  const comments = () => `/api/v1/tenants/${crew.tenant.id}/tasks/${task.key}/comments`;
  const comment = async (as = crew.member, body = 'Looks **good**') =>
    (await t.http.post(comments()).set(as.auth).send({ body }).expect(201)).body;
  beforeAll(async () => {
    crew = await createTenantCrew(t.http);
    const project = await createProject(t.http, crew.tenant.id, crew.owner);
    task = await createTask(t.http, crew.tenant.id, project.id, crew.member);
  });

  it('stores markdown as given, with a Location that resolves, and logs it on the task', async () => {
    const body = '  <script>x</script>\n\n- [ ] **todo**  ';
    const response = await t.http.post(comments()).set(crew.member.auth).send({ body }).expect(201);
    expect(response.body).toMatchObject({ body, authorId: crew.member.id });
    const location = response.headers.location;
    if (location === undefined) throw new Error('no Location header');
    const read = await t.http.get(location).set(crew.viewer.auth).expect(200);
    expect(read.body).toEqual(response.body);
    const activity = await t.http
      .get(`/api/v1/tenants/${crew.tenant.id}/tasks/${task.key}/activity`)
      .set(crew.viewer.auth)
      .expect(200);
    expect(activity.body.data[0]).toMatchObject({ action: 'comment_added', to: response.body.id });
  });

  it('lists oldest first, page by page', async () => {
    const own = await createTask(t.http, crew.tenant.id, task.projectId, crew.member);
    const path = `/api/v1/tenants/${crew.tenant.id}/tasks/${own.key}/comments`;
    for (const body of ['one', 'two', 'three'])
      await t.http.post(path).set(crew.member.auth).send({ body }).expect(201);
    const first = await t.http.get(`${path}?limit=2`).set(crew.viewer.auth).expect(200);
    const second = await t.http
      .get(`${path}?limit=2&cursor=${first.body.nextCursor}`)
      .set(crew.viewer.auth)
      .expect(200);
    expect([...first.body.data, ...second.body.data].map((c: { body: string }) => c.body)).toEqual([
      'one',
      'two',
      'three',
    ]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('lets only the author edit', async () => {
    const mine = await comment();
    const edited = await t.http
      .patch(`${comments()}/${mine.id}`)
      .set(crew.member.auth)
      .send({ body: 'Edited' })
      .expect(200);
    expect(edited.body.body).toBe('Edited');
    const refused = await t.http
      .patch(`${comments()}/${mine.id}`)
      .set(crew.owner.auth)
      .send({ body: 'Mine now' })
      .expect(403);
    expect(refused.body.type).toBe('urn:yello:problem:not-comment-author');
  });

  it('lets the author or an admin delete, and other members not', async () => {
    const [byMember, byAdmin] = [await comment(), await comment(crew.admin)];
    await t.http.delete(`${comments()}/${byAdmin.id}`).set(crew.member.auth).expect(403);
    await t.http.delete(`${comments()}/${byMember.id}`).set(crew.member.auth).expect(204);
    await t.http.delete(`${comments()}/${byAdmin.id}`).set(crew.owner.auth).expect(204);
    await t.http.get(`${comments()}/${byAdmin.id}`).set(crew.owner.auth).expect(404);
  });

  it('deletes a comment once under concurrent deletes, with one activity entry', async () => {
    const target = await comment();
    const statuses = (
      await Promise.all(
        Array.from({ length: 8 }, () => t.http.delete(`${comments()}/${target.id}`).set(crew.admin.auth)),
      )
    ).map((response) => response.status);
    expect(statuses.sort()).toEqual([204, ...Array<number>(7).fill(404)]);
    const activity = await t.http
      .get(`/api/v1/tenants/${crew.tenant.id}/tasks/${task.key}/activity?limit=100`)
      .set(crew.viewer.auth);
    expect(
      activity.body.data.filter(
        (e: { action: string; from: string }) => e.action === 'comment_deleted' && e.from === target.id,
      ),
    ).toHaveLength(1);
  });

  it('bounds the body to 1–10 000 characters and answers 404 for another task’s comment', async () => {
    await t.http.post(comments()).set(crew.member.auth).send({ body: '' }).expect(400);
    await t.http
      .post(comments())
      .set(crew.member.auth)
      .send({ body: '😀'.repeat(10_001) })
      .expect(400);
    await t.http
      .post(comments())
      .set(crew.member.auth)
      .send({ body: '😀'.repeat(10_000) })
      .expect(201);
    const other = await createTask(t.http, crew.tenant.id, task.projectId, crew.member);
    const mine = await comment();
    await t.http
      .get(`/api/v1/tenants/${crew.tenant.id}/tasks/${other.key}/comments/${mine.id}`)
      .set(crew.member.auth)
      .expect(404);
  });
});

describe('labels', () => {
  const t = useTestApp();
  let crew: TenantCrew;
  const labels = () => `/api/v1/tenants/${crew.tenant.id}/labels`;
  beforeAll(async () => {
    crew = await createTenantCrew(t.http);
  });

  it('creates, reads, renames, recolors, lists by name and deletes', async () => {
    const created = await t.http
      .post(labels())
      .set(crew.member.auth)
      .send({ name: 'Bug', color: '#D73A4A' })
      .expect(201);
    expect(created.body).toMatchObject({ name: 'Bug', color: '#d73a4a' });
    const location = created.headers.location;
    if (location === undefined) throw new Error('no Location header');
    await t.http.get(location).set(crew.viewer.auth).expect(200);
    await t.http.post(labels()).set(crew.member.auth).send({ name: 'Alpha', color: '#000000' }).expect(201);
    const renamed = await t.http
      .patch(`${labels()}/${created.body.id}`)
      .set(crew.member.auth)
      .send({ name: 'Defect' })
      .expect(200);
    expect(renamed.body).toMatchObject({ name: 'Defect', color: '#d73a4a' });
    const listed = await t.http.get(`${labels()}?limit=1`).set(crew.viewer.auth).expect(200);
    expect(listed.body.data.map((l: { name: string }) => l.name)).toEqual(['Alpha']);
    await t.http.delete(`${labels()}/${created.body.id}`).set(crew.member.auth).expect(204);
    await t.http.get(`${labels()}/${created.body.id}`).set(crew.member.auth).expect(404);
  });

  it('keeps names unique case-insensitively', async () => {
    await t.http.post(labels()).set(crew.member.auth).send({ name: 'Frontend', color: '#111111' }).expect(201);
    const taken = await t.http
      .post(labels())
      .set(crew.member.auth)
      .send({ name: ' FRONTEND ', color: '#222222' })
      .expect(409);
    expect(taken.body.type).toBe('urn:yello:problem:label-name-taken');
  });

  it.each([['red'], ['#12345'], ['#1234567'], ['#GGGGGG'], [null]])('refuses the color %j', async (color) => {
    await t.http.post(labels()).set(crew.member.auth).send({ name: 'X', color }).expect(400);
  });
});
