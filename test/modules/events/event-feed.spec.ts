import { EventSource } from 'eventsource';
import { createApiToken } from '../../factories/api-tokens.js';
import { createLabel, createProject, createTask, type CreatedProject } from '../../factories/projects.js';
import { createTenantCrew, type TenantCrew } from '../../factories/tenants.js';
import { serverSentEvents, type FeedEvent } from '../../support/event-stream.js';
import { useTestApp } from '../../support/test-app.js';

describe('the event feed', () => {
  const t = useTestApp();
  let crew: TenantCrew;
  let project: CreatedProject;

  const eventsPath = () => `/api/v1/tenants/${crew.tenant.id}/events`;
  const taskPath = (key: string) => `/api/v1/tenants/${crew.tenant.id}/tasks/${key}`;
  const read = async (query: Record<string, string | number>) =>
    (await t.http.get(eventsPath()).query(query).set(crew.viewer.auth).expect(200)).body as {
      data: FeedEvent[];
      nextAfter: number;
    };
  const newTask = (title = 'A task') => createTask(t.http, crew.tenant.id, project.id, crew.member, { title });

  beforeEach(async () => {
    crew = await createTenantCrew(t.http);
    project = await createProject(t.http, crew.tenant.id, crew.owner);
  });

  it('lists what changed, in order and without gaps, with the entity after the change and its changes', async () => {
    const { nextAfter: start } = await read({});
    const task = await newTask('Draft');
    await t.http.patch(taskPath(task.key)).set(crew.member.auth).send({ title: 'Final', priority: 'high' }).expect(200);
    await t.http.delete(taskPath(task.key)).set(crew.admin.auth).expect(204);

    const { data, nextAfter } = await read({ after: start });
    expect(data.map((event) => [event.seq, event.type])).toEqual([
      [start + 1, 'task.created'],
      [start + 2, 'task.updated'],
      [start + 3, 'task.deleted'],
    ]);
    expect(nextAfter).toBe(start + 3);
    expect(data[1]).toMatchObject({
      projectId: project.id,
      actor: { userId: crew.member.id },
      data: {
        task: { id: task.id, title: 'Final' },
        changes: { title: { from: 'Draft', to: 'Final' }, priority: { from: 'none', to: 'high' } },
      },
    });
    expect(data[2]?.actor.userId).toBe(crew.admin.id);

    // Filters, and paging on from `nextAfter`.
    expect((await read({ after: start, types: 'task.updated' })).data.map((event) => event.seq)).toEqual([start + 2]);
    expect((await read({ after: start, types: 'task.*,comment.created', limit: 2 })).nextAfter).toBe(start + 2);
    const other = await createProject(t.http, crew.tenant.id, crew.owner);
    await createTask(t.http, crew.tenant.id, other.id, crew.member);
    expect((await read({ after: start, projectId: other.id })).data).toEqual([
      expect.objectContaining({ type: 'project.created', projectId: other.id }),
      expect.objectContaining({ type: 'task.created', projectId: other.id }),
    ]);
  });

  it('records the changes of every module, members leaving included', async () => {
    const { nextAfter: start } = await read({});
    const tenantPath = `/api/v1/tenants/${crew.tenant.id}`;
    const [a, b] = [await newTask('A'), await newTask('B')];
    await t.http.patch(taskPath(a.key)).set(crew.member.auth).send({ assigneeId: crew.member.id }).expect(200);
    const label = await createLabel(t.http, crew.tenant.id, crew.member);
    await t.http.patch(`${tenantPath}/labels/${label.id}`).set(crew.member.auth).send({ name: 'Renamed' }).expect(200);
    const comment = await t.http
      .post(`${taskPath(a.key)}/comments`)
      .set(crew.member.auth)
      .send({ body: 'Hi' })
      .expect(201);
    await t.http
      .post(`${taskPath(a.key)}/relations`)
      .set(crew.member.auth)
      .send({ type: 'blocks', task: b.key })
      .expect(201);
    await t.http
      .patch(`${tenantPath}/projects/${project.id}`)
      .set(crew.admin.auth)
      .send({ name: 'Renamed' })
      .expect(200);
    await createApiToken(t.http, crew.tenant.id, crew.admin);
    await t.http
      .patch(`${tenantPath}/members/${crew.viewer.id}`)
      .set(crew.owner.auth)
      .send({ role: 'member' })
      .expect(200);
    await t.http.delete(`${tenantPath}/members/${crew.member.id}`).set(crew.owner.auth).expect(204);

    const { data } = await read({ after: start + 2 });
    expect(data.map((event) => event.type)).toEqual([
      'task.updated',
      'label.created',
      'label.updated',
      'comment.created',
      'relation.created',
      'project.updated',
      'api_token.created',
      'member.role_changed',
      // The removal unassigns the member's task in the same transaction (the tasks module's doing).
      'task.updated',
      'member.removed',
    ]);
    expect(data[3]?.data).toMatchObject({ comment: { id: comment.body.id }, task: { id: a.id } });
    expect(data[8]?.data).toMatchObject({
      task: { id: a.id, assigneeId: null },
      changes: { assigneeId: { to: null } },
    });
  });

  it('numbers the events of concurrent writers without a gap or a repeat', async () => {
    const { nextAfter: start } = await read({});
    await Promise.all(Array.from({ length: 20 }, (_, i) => newTask(`Task ${i}`)));
    const { data } = await read({ after: start });
    expect(data.map((event) => event.seq)).toEqual(Array.from({ length: 20 }, (_, i) => start + i + 1));
  });

  it('waits for the next event when asked to, and answers at once when one arrives', async () => {
    const { nextAfter } = await read({});
    const waiting = read({ after: nextAfter, wait: 20 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const task = await newTask();
    const { data } = await waiting;
    expect(data).toEqual([
      expect.objectContaining({
        seq: nextAfter + 1,
        data: expect.objectContaining({ task: expect.objectContaining({ id: task.id }) }),
      }),
    ]);
    // Nothing new: an empty page at once without `wait`.
    expect(await read({ after: nextAfter + 1 })).toEqual({ data: [], nextAfter: nextAfter + 1 });
  });

  it('streams events as they commit, and resumes after Last-Event-ID with each event once', async () => {
    const url = `${t.baseUrl}${eventsPath()}/stream`;
    const other = await createProject(t.http, crew.tenant.id, crew.owner);
    const first = new AbortController();
    const response = await fetch(url, { headers: crew.viewer.auth, signal: first.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const received = serverSentEvents(response.body ?? new ReadableStream());
    // A second stream of the tenant, filtered: the two share one reader of the log.
    const filtered = new AbortController();
    const filteredResponse = await fetch(`${url}?types=task.*&projectId=${other.id}`, {
      headers: crew.viewer.auth,
      signal: filtered.signal,
    });
    // The status with the type: a refused stream would otherwise show up as a missing event.
    expect([filteredResponse.status, filteredResponse.headers.get('content-type')]).toEqual([
      200,
      expect.stringMatching(/^text\/event-stream/),
    ]);
    const onlyOther = serverSentEvents(filteredResponse.body ?? new ReadableStream());
    const [a, b] = [await newTask('A'), await newTask('B')];
    const elsewhere = await createTask(t.http, crew.tenant.id, other.id, crew.member);
    const seen = [(await received.next()).value, (await received.next()).value];
    expect(seen.map((event) => [event?.event, event?.data?.data.task?.id])).toEqual([
      ['task.created', a.id],
      ['task.created', b.id],
    ]);
    expect((await onlyOther.next()).value?.data?.data.task?.id).toBe(elsewhere.id);
    first.abort();
    filtered.abort();

    const c = await newTask('C');
    const resumed = new AbortController();
    const again = await fetch(url, {
      headers: { ...crew.viewer.auth, 'Last-Event-ID': seen[0]?.id ?? '' },
      signal: resumed.signal,
    });
    const replay = serverSentEvents(again.body ?? new ReadableStream());
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await replay.next()).value?.data?.data.task?.id);
    expect(ids).toEqual([b.id, elsewhere.id, c.id]);
    resumed.abort();
  });

  it('serves a standard EventSource client, as the API guide shows it', async () => {
    const token = (await createApiToken(t.http, crew.tenant.id, crew.member, { scopes: ['read'] })).token;
    const events = new EventSource(`${t.baseUrl}${eventsPath()}/stream?types=task.*`, {
      fetch: (url, init) => fetch(url, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } }),
    });
    const received = new Promise<FeedEvent>((resolve, reject) => {
      events.addEventListener('task.created', (message) => resolve(JSON.parse(message.data)));
      events.addEventListener('error', (error) => reject(new Error(error.message)));
    });
    await new Promise((resolve) => events.addEventListener('open', resolve));
    const task = await newTask();
    expect(await received).toMatchObject({ type: 'task.created', data: { task: { id: task.id } } });
    events.close();
  });

  it('answers 410 for a cursor past the retention, and 400 for a bad one', async () => {
    await newTask();
    await t.orm.em
      .getConnection()
      .execute('update event_counters set purged_through = 1 where tenant_id = ?', [crew.tenant.id]);
    await t.http.get(eventsPath()).query({ after: 0 }).set(crew.viewer.auth).expect(410);
    await t.http
      .get(`${eventsPath()}/stream`)
      .set({ ...crew.viewer.auth, 'Last-Event-ID': '0' })
      .expect(410);
    await t.http.get(eventsPath()).query({ types: 'task.exploded' }).set(crew.viewer.auth).expect(400);
    await t.http
      .get(`${eventsPath()}/stream`)
      .set({ ...crew.viewer.auth, 'Last-Event-ID': 'x' })
      .expect(400);
  });
});
