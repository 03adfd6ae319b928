import { createProject, createTask } from '../../factories/projects.js';
import { createTenantCrew, type TenantCrew } from '../../factories/tenants.js';
import { useTestApp } from '../../support/test-app.js';

const ROUNDS = 20;

describe('workflow states under concurrent task writes', () => {
  const t = useTestApp();
  let crew: TenantCrew;

  beforeAll(async () => {
    crew = await createTenantCrew(t.http);
  });

  it('never leaves a task in a deleted state, and never answers 5xx', async () => {
    const project = await createProject(t.http, crew.tenant.id, crew.admin);
    const base = `/api/v1/tenants/${crew.tenant.id}`;
    const states = `${base}/projects/${project.id}/states`;
    const board = async (): Promise<{ id: string; key: string }[]> =>
      (await t.http.get(states).set(crew.viewer.auth).expect(200)).body.data;
    const target = (await board()).find((state) => state.key === 'in_progress');
    if (!target) throw new Error('No in_progress state');
    const mover = await createTask(t.http, crew.tenant.id, project.id, crew.member);

    const statuses: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const key = `round_${round}`;
      const state = await t.http
        .post(states)
        .set(crew.admin.auth)
        .send({ key, name: `Round ${round}`, category: 'started' })
        .expect(201);
      const answers = await Promise.all([
        t.http.post(`${base}/projects/${project.id}/tasks`).set(crew.member.auth).send({ title: 'Racer', status: key }),
        t.http.delete(`${states}/${state.body.id}?moveTo=${target.id}`).set(crew.admin.auth),
        t.http.patch(`${base}/tasks/${mover.key}`).set(crew.member.auth).send({ status: key }),
        t.http.post(`${base}/projects/${project.id}/tasks`).set(crew.member.auth).send({ title: 'Racer', status: key }),
      ]);
      statuses.push(...answers.map((answer) => answer.status));
      const [created, deleted, moved] = answers;
      expect(deleted.status).toBe(204);
      expect([201, 400]).toContain(created.status);
      expect([200, 400]).toContain(moved.status);
      if (moved.status === 400)
        await t.http.patch(`${base}/tasks/${mover.key}`).set(crew.member.auth).send({ status: 'todo' }).expect(200);
    }
    expect(statuses.filter((status) => status >= 500)).toEqual([]);

    const keys = new Set((await board()).map((state) => state.key));
    const tasks = await t.http.get(`${base}/projects/${project.id}/tasks?limit=100`).set(crew.viewer.auth).expect(200);
    const items: { status: string; statusCategory: string }[] = tasks.body.data;
    expect(items.filter((task) => !keys.has(task.status))).toEqual([]);
    // Every racer that was created is where the deleted state's tasks went.
    expect(items.filter((task) => task.status.startsWith('round_'))).toEqual([]);
  });
});
