import { useTestApp } from '../../support/test-app.js';
import { createTenantCrew, type TenantCrew } from '../../factories/tenants.js';
import { createProject } from '../../factories/projects.js';

describe('projects', () => {
  const t = useTestApp();
  let crew: TenantCrew;
  const projects = () => `/api/v1/tenants/${crew.tenant.id}/projects`;
  beforeAll(async () => {
    crew = await createTenantCrew(t.http);
  });

  it('creates a project with a Location and an ETag', async () => {
    const response = await t.http
      .post(projects())
      .set(crew.admin.auth)
      .send({ name: 'Website', key: 'web1', description: 'The **new** site' })
      .expect(201);
    expect(response.body).toMatchObject({
      name: 'Website',
      key: 'WEB1',
      description: 'The **new** site',
      archived: false,
      version: 1,
    });
    const location = `${projects()}/${response.body.id}`;
    expect(response.headers.location).toBe(location);
    expect(response.headers.etag).toBe('"1"');
    await t.http.get(location).set(crew.viewer.auth).expect(200);
  });

  // `Aß` and `ıx` would pass as `ASS` and `IX` if upper-cased beyond ASCII.
  it.each(['A', 'A'.repeat(11), '1AB', 'AB-C', 'ÄB', 'Aß', 'ıx'])('refuses the key %j', async (key) => {
    const response = await t.http.post(projects()).set(crew.admin.auth).send({ name: 'X', key }).expect(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ path: 'key' })]);
  });

  it('refuses a key taken in the tenant (case-insensitively), but not one taken elsewhere', async () => {
    const { key } = await createProject(t.http, crew.tenant.id, crew.admin);
    const response = await t.http
      .post(projects())
      .set(crew.admin.auth)
      .send({ name: 'Again', key: key.toLowerCase() })
      .expect(409);
    expect(response.body.type).toBe('urn:yello:problem:project-key-taken');
    const other = await createTenantCrew(t.http);
    await createProject(t.http, other.tenant.id, other.owner, { key });
  });

  it('keeps the key immutable: a PATCH naming it is a 400 naming it', async () => {
    const project = await createProject(t.http, crew.tenant.id, crew.admin);
    const response = await t.http
      .patch(`${projects()}/${project.id}`)
      .set(crew.admin.auth)
      .send({ key: 'NEW' })
      .expect(400);
    expect(response.body.errors).toEqual([{ path: 'key', message: expect.any(String) }]);
  });

  it('updates name, description and archived, bumping the version', async () => {
    const project = await createProject(t.http, crew.tenant.id, crew.admin, { description: 'old' });
    const response = await t.http
      .patch(`${projects()}/${project.id}`)
      .set(crew.admin.auth)
      .send({ name: 'Renamed', description: null, archived: true })
      .expect(200);
    expect(response.body).toMatchObject({ name: 'Renamed', description: null, archived: true, version: 2 });
    expect(response.headers.etag).toBe('"2"');
  });

  it('honours If-Match on PATCH and DELETE', async () => {
    const project = await createProject(t.http, crew.tenant.id, crew.admin);
    const path = `${projects()}/${project.id}`;
    await t.http.patch(path).set(crew.admin.auth).set('If-Match', '"1"').send({ name: 'v2' }).expect(200);
    const stale = await t.http
      .patch(path)
      .set(crew.admin.auth)
      .set('If-Match', '"1"')
      .send({ name: 'lost' })
      .expect(412);
    expect(stale.body.type).toBe('urn:yello:problem:version-mismatch');
    await t.http.patch(path).set(crew.admin.auth).set('If-Match', 'W/"x"').send({ name: 'bad' }).expect(400);
    await t.http.delete(path).set(crew.admin.auth).set('If-Match', '"1"').expect(412);
    expect((await t.http.get(path).set(crew.admin.auth).expect(200)).body.name).toBe('v2');
    await t.http.delete(path).set(crew.admin.auth).set('If-Match', '"2"').expect(204);
    await t.http.get(path).set(crew.admin.auth).expect(404);
  });

  it('lists active projects by name, and archived ones on request, page by page', async () => {
    const listed = await createTenantCrew(t.http);
    const names = ['Cherry', 'apple', 'Banana', 'Date'];
    const created = [];
    for (const name of names) created.push(await createProject(t.http, listed.tenant.id, listed.owner, { name }));
    await t.http
      .patch(`/api/v1/tenants/${listed.tenant.id}/projects/${created[3]?.id}`)
      .set(listed.owner.auth)
      .send({ archived: true })
      .expect(200);

    const base = `/api/v1/tenants/${listed.tenant.id}/projects`;
    const first = await t.http.get(`${base}?limit=2`).set(listed.viewer.auth).expect(200);
    const second = await t.http
      .get(`${base}?limit=2&cursor=${first.body.nextCursor}`)
      .set(listed.viewer.auth)
      .expect(200);
    expect([...first.body.data, ...second.body.data].map((p: { name: string }) => p.name)).toEqual([
      'Banana',
      'Cherry',
      'apple',
    ]);
    expect(second.body.nextCursor).toBeNull();
    await t.http.get(`${base}?archived=true&cursor=${first.body.nextCursor}`).set(listed.viewer.auth).expect(400);
    const archived = await t.http.get(`${base}?archived=true`).set(listed.viewer.auth).expect(200);
    expect(archived.body.data.map((p: { name: string }) => p.name)).toEqual(['Date']);
    await t.http.get(`${base}?archived=maybe`).set(listed.viewer.auth).expect(400);
  });

  it('shows task counts by status', async () => {
    const project = await createProject(t.http, crew.tenant.id, crew.admin);
    const response = await t.http.get(`${projects()}/${project.id}`).set(crew.viewer.auth).expect(200);
    expect(response.body.taskCounts).toEqual({
      backlog: 0,
      todo: 0,
      in_progress: 0,
      in_review: 0,
      done: 0,
      canceled: 0,
    });
  });

  it('answers 404 for a project that does not exist', async () => {
    await t.http.get(`${projects()}/0190c7a4-0000-7000-8000-000000000000`).set(crew.viewer.auth).expect(404);
    await t.http.get(`${projects()}/not-a-uuid`).set(crew.viewer.auth).expect(400);
  });
});
