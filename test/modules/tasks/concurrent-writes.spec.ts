import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { createLabel, createProject, createTask, type CreatedProject } from '../../factories/projects.js';
import { addMember, createTenantCrew, type TenantCrew } from '../../factories/tenants.js';
import type { RegisteredUser } from '../../factories/users.js';
import { useTestApp } from '../../support/test-app.js';

/**
 * Random mixes of concurrent writes on one small task tree, as a busy team makes them:
 * every answer is a 4xx or a success (never a 5xx), and after each round the data holds
 * the invariants below. `CONCURRENCY_SEED` replays a failing run (fast-check prints it);
 * `CONCURRENCY_ROUNDS` runs more rounds.
 */
const ROUNDS = Number(process.env.CONCURRENCY_ROUNDS ?? 12);
const SEED = process.env.CONCURRENCY_SEED === undefined ? undefined : Number(process.env.CONCURRENCY_SEED);

const KINDS = [
  'create',
  'createChild',
  'reparent',
  'unparent',
  'edit',
  'moveAfter',
  'moveTop',
  'status',
  'labels',
  'comment',
  'assign',
  'deleteTask',
  'deleteLabel',
  'demote',
  'removeMember',
  'blocks',
  'unrelate',
  'bulk',
] as const;
type Kind = (typeof KINDS)[number];
interface Operation {
  kind: Kind;
  /** Picks among the round's tasks and labels (modulo their count). */
  a: number;
  b: number;
}

const operation = fc.record({ kind: fc.constantFrom(...KINDS), a: fc.nat(), b: fc.nat() });

describe('concurrent writes on one task tree', () => {
  const t = useTestApp();
  let crew: TenantCrew;
  let project: CreatedProject;
  /** Every task number handed out in the project: they must be 1…n without a gap. */
  const numbers: number[] = [];

  const base = () => `/api/v1/tenants/${crew.tenant.id}`;
  const sql = <T extends object>(text: string, params: unknown[] = []) =>
    t.orm.em.fork().getConnection().execute<T[]>(text, params);
  const numberOf = (key: string) => Number(key.split('-')[1]);

  beforeAll(async () => {
    crew = await createTenantCrew(t.http);
    project = await createProject(t.http, crew.tenant.id, crew.owner, { key: 'RACE' });
  });

  /** Sends one operation; the answer's status (and what a create made, to track numbers). */
  function send(op: Operation, tasks: string[], labels: string[], worker: RegisteredUser): Promise<Response> {
    const task = tasks[op.a % tasks.length] ?? '';
    const other = tasks[op.b % tasks.length] ?? '';
    const label = labels[op.b % labels.length] ?? '';
    const owner = crew.owner.auth;
    const patch = (body: object) => t.http.patch(`${base()}/tasks/${task}`).set(owner).send(body);
    switch (op.kind) {
      case 'create':
        return t.http.post(`${base()}/projects/${project.id}/tasks`).set(owner).send({ title: 'new' });
      case 'createChild':
        return t.http
          .post(`${base()}/projects/${project.id}/tasks`)
          .set(owner)
          .send({ title: 'child', parentId: other, ...(op.a % 2 ? { assigneeId: worker.id } : {}) });
      case 'reparent':
        return patch({ parentId: other });
      case 'unparent':
        return patch({ parentId: null });
      case 'edit':
        return patch({ title: `edit ${op.b}` });
      case 'moveAfter':
        return patch({ moveAfter: other });
      case 'moveTop':
        return patch({ moveTo: 'top' });
      case 'status':
        return patch({ status: op.b % 2 ? 'in_progress' : 'todo' });
      case 'labels':
        return patch({ labelIds: labels.filter((_, index) => (op.b >> index) & 1) });
      case 'comment':
        return t.http.post(`${base()}/tasks/${task}/comments`).set(owner).send({ body: 'a comment' });
      case 'assign':
        return patch({ assigneeId: worker.id });
      case 'deleteTask':
        return t.http.delete(`${base()}/tasks/${task}`).set(owner);
      case 'deleteLabel':
        return t.http.delete(`${base()}/labels/${label}`).set(owner);
      case 'demote':
        return t.http.patch(`${base()}/members/${worker.id}`).set(owner).send({ role: 'viewer' });
      case 'removeMember':
        return t.http.delete(`${base()}/members/${worker.id}`).set(owner);
      case 'blocks':
        return t.http.post(`${base()}/tasks/${task}/relations`).set(owner).send({ type: 'blocks', task: other });
      case 'bulk':
        // Every task of the round at once: statuses, a label added, a re-parent or an assignee.
        return t.http
          .post(`${base()}/tasks/bulk`)
          .set(owner)
          .send({
            tasks: tasks.filter((_, index) => index !== op.a % tasks.length || op.b % 2),
            set:
              op.b % 3 === 0 ? { parentId: task } : { status: op.b % 2 ? 'in_review' : 'todo', assigneeId: worker.id },
            addLabelIds: [label],
            atomic: op.a % 2 === 0,
          });
      case 'unrelate':
        // Whatever relation the task has first (a 404 when it has none, or it went meanwhile).
        return t.http
          .get(`${base()}/tasks/${task}/relations`)
          .set(owner)
          .then((listed) => {
            const first: { id?: string } | undefined = listed.body?.blocks?.[0] ?? listed.body?.blockedBy?.[0];
            return t.http.delete(`${base()}/tasks/${task}/relations/${first?.id ?? randomUUID()}`).set(owner);
          });
    }
  }

  async function assertInvariants(): Promise<void> {
    const tenant = crew.tenant.id;
    const tree = await sql<{ id: string; parent_id: string | null }>(
      'select id, parent_id from tasks where tenant_id = ?',
      [tenant],
    );
    const parents = new Map(tree.map((row) => [row.id, row.parent_id]));
    for (const { id } of tree) {
      const seen = new Set<string>();
      for (let at: string | null | undefined = id; at; at = parents.get(at)) {
        expect(seen.has(at)).toBe(false); // a parent cycle
        seen.add(at);
      }
    }

    // No task blocks itself through other tasks.
    expect(
      await sql(
        'with recursive reach(origin, id) as (select source_id, target_id from task_relations where tenant_id = ? and type = ? ' +
          'union select reach.origin, r.target_id from reach join task_relations r on r.source_id = reach.id and r.type = ?) ' +
          'select origin from reach where origin = id',
        [tenant, 'blocks', 'blocks'],
      ),
    ).toEqual([]);

    const [counter] = await sql<{ last: number }>('select last_task_number as last from projects where id = ?', [
      project.id,
    ]);
    expect([...numbers].sort((x, y) => x - y)).toEqual(Array.from({ length: counter?.last ?? 0 }, (_, i) => i + 1));

    expect(
      await sql(
        'select status, position from tasks where tenant_id = ? group by project_id, status, position having count(*) > 1',
        [tenant],
      ),
    ).toEqual([]);

    // One version step per applied change, and each change logged (its events share an instant).
    const versions = await sql<{ id: string; version: number; changes: number }>(
      'select t.id, t.version, (select count(distinct a.created_at)::int from activity_events a where a.tenant_id = t.tenant_id ' +
        "and a.task_id = t.id and a.action in ('updated', 'label_added', 'label_removed')) as changes " +
        'from tasks t where t.tenant_id = ?',
      [tenant],
    );
    for (const row of versions)
      expect({ id: row.id, steps: row.version - 1 }).toEqual({ id: row.id, steps: row.changes });

    // A task's labels are what its history says was added and not removed since.
    const history = await sql<{ task_id: string; action: string; label: string }>(
      "select a.task_id, a.action, coalesce(a.to, a.from) as label from activity_events a where a.tenant_id = ? and a.field = 'labelIds' " +
        'and exists (select 1 from tasks t where t.id = a.task_id) order by a.created_at, a.id',
      [tenant],
    );
    const replayed = new Map<string, Set<string>>();
    for (const event of history) {
      const labels = replayed.get(event.task_id) ?? new Set<string>();
      if (event.action === 'label_added') labels.add(event.label);
      else labels.delete(event.label);
      replayed.set(event.task_id, labels);
    }
    const links = await sql<{ task_id: string; label_id: string }>(
      'select task_id, label_id from task_labels where tenant_id = ?',
      [tenant],
    );
    const current = new Map<string, Set<string>>();
    for (const link of links) current.set(link.task_id, (current.get(link.task_id) ?? new Set()).add(link.label_id));
    for (const { id } of tree) {
      expect({ id, labels: [...(current.get(id) ?? [])].sort() }).toEqual({
        id,
        labels: [...(replayed.get(id) ?? [])].sort(),
      });
    }

    expect(
      await sql(
        'select t.id from tasks t left join memberships m on m.tenant_id = t.tenant_id and m.user_id = t.assignee_id ' +
          "where t.tenant_id = ? and t.assignee_id is not null and (m.id is null or m.role = 'viewer')",
        [tenant],
      ),
    ).toEqual([]);
  }

  it('never answers 5xx and keeps the tree, numbers, positions, versions, labels and assignees consistent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 8, maxLength: 16 }), async (operations) => {
        const worker = await addMember(t.http, crew.tenant.id, crew.owner, 'member');
        const labels = await Promise.all([1, 2, 3].map(() => createLabel(t.http, crew.tenant.id, crew.owner)));
        const root = await createTask(t.http, crew.tenant.id, project.id, crew.owner, { title: 'root' });
        const tasks = [root];
        for (const parent of [root, root, undefined]) {
          tasks.push(
            await createTask(t.http, crew.tenant.id, project.id, crew.owner, {
              title: 'task',
              ...(parent ? { parentId: parent.id } : {}),
            }),
          );
        }
        numbers.push(...tasks.map((task) => numberOf(task.key)));

        const answers = await Promise.all(
          operations.map((op) =>
            send(
              op,
              tasks.map((task) => task.id),
              labels.map((label) => label.id),
              worker,
            ),
          ),
        );
        for (const answer of answers) {
          const body: unknown = answer.body;
          if (answer.status === 201 && typeof body === 'object' && body !== null && 'key' in body) {
            if (typeof body.key === 'string' && body.key.startsWith('RACE-')) numbers.push(numberOf(body.key));
          }
        }
        const serverErrors = answers
          .map((answer, index) => ({ op: operations[index], status: answer.status, answer: answer.text }))
          .filter((outcome) => outcome.status >= 500);
        expect(serverErrors).toEqual([]);
        await assertInvariants();
      }),
      { numRuns: ROUNDS, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  }, 120_000);

  /** The project's `todo` column, top to bottom: task ids and their position keys. */
  async function column(): Promise<{ id: string; position: string }[]> {
    const response = await t.http
      .get(`${base()}/projects/${project.id}/tasks?status=todo&sort=position&limit=100`)
      .set(crew.owner.auth)
      .expect(200);
    const body: { data: { id: string; position: string }[] } = response.body;
    return body.data.map(({ id, position }) => ({ id, position }));
  }

  it('lands ten moves aimed at one gap next to their anchor, each at a position of its own', async () => {
    project = await createProject(t.http, crew.tenant.id, crew.owner);
    const make = () => createTask(t.http, crew.tenant.id, project.id, crew.owner);
    const anchor = await make();
    const after = await make();
    const moved = [];
    for (let i = 0; i < 10; i++) moved.push(await make());
    await Promise.all(
      moved.map((task) =>
        t.http.patch(`${base()}/tasks/${task.id}`).set(crew.owner.auth).send({ moveAfter: anchor.id }).expect(200),
      ),
    );
    const order = (await column()).map((task) => task.id);
    expect(order[0]).toBe(anchor.id);
    expect(new Set(order.slice(1, 11))).toEqual(new Set(moved.map((task) => task.id)));
    expect(order[11]).toBe(after.id);
  });

  it('moves twenty tasks into one column at once, each to a bottom place of its own', async () => {
    project = await createProject(t.http, crew.tenant.id, crew.owner);
    const moved = [];
    for (let i = 0; i < 20; i++) moved.push(await createTask(t.http, crew.tenant.id, project.id, crew.owner));
    const answers = await Promise.all(
      moved.map((task) => t.http.patch(`${base()}/tasks/${task.id}`).set(crew.owner.auth).send({ status: 'done' })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(moved.map(() => 200));
    const positions = answers.map((answer) => (answer.body as { position: string }).position);
    expect(new Set(positions).size).toBe(20);
  });

  it('keeps position keys short: a column whose keys grow is rebalanced, in the same order', async () => {
    project = await createProject(t.http, crew.tenant.id, crew.owner);
    const [top, a, b, bottom] = [
      await createTask(t.http, crew.tenant.id, project.id, crew.owner),
      await createTask(t.http, crew.tenant.id, project.id, crew.owner),
      await createTask(t.http, crew.tenant.id, project.id, crew.owner),
      await createTask(t.http, crew.tenant.id, project.id, crew.owner),
    ];
    // Where about 380 moves into the gap under `top` lead (each halves it: a character more
    // every six moves): the next key between `top` and `a` would be 65 characters long.
    const nearLimit = [
      ['a0', top],
      [`a0${'0'.repeat(61)}1`, a],
      ['a1', b],
      ['a2', bottom],
    ] as const;
    for (const [position, task] of nearLimit) {
      await sql('update tasks set position = ? where id = ?', [position, task.id]);
    }
    let longest = 0;
    for (let i = 0; i < 12; i++) {
      const task = i % 2 ? a : b;
      const response = await t.http
        .patch(`${base()}/tasks/${task.id}`)
        .set(crew.owner.auth)
        .send({ moveAfter: top.id })
        .expect(200);
      const moved: { position: string } = response.body;
      longest = Math.max(longest, moved.position.length);
    }
    expect(longest).toBeLessThanOrEqual(64);
    expect((await column()).map((task) => task.id)).toEqual([top.id, a.id, b.id, bottom.id]);
  });

  it("keeps another tenant's reads answering while one tenant's writers storm one task tree", async () => {
    project = await createProject(t.http, crew.tenant.id, crew.owner);
    const make = (body: Record<string, unknown> = {}) =>
      createTask(t.http, crew.tenant.id, project.id, crew.owner, body);
    const parent = await make();
    const children = [];
    for (let i = 0; i < 20; i++) children.push(await make());
    const other = await createTenantCrew(t.http);
    const otherProject = await createProject(t.http, other.tenant.id, other.owner);
    await createTask(t.http, other.tenant.id, otherProject.id, other.owner);

    const storm = children.flatMap((child, i) => [
      t.http.patch(`${base()}/tasks/${child.id}`).set(crew.owner.auth).send({ parentId: parent.id }),
      t.http
        .patch(`${base()}/tasks/${parent.id}`)
        .set(crew.owner.auth)
        .send({ title: `parent ${i}` }),
    ]);
    const reads = Array.from({ length: 30 }, () =>
      t.http.get(`/api/v1/tenants/${other.tenant.id}/projects/${otherProject.id}/tasks`).set(other.owner.auth),
    );
    const [writes, otherReads] = await Promise.all([Promise.all(storm), Promise.all(reads)]);
    expect(writes.map((answer) => answer.status).filter((status) => status !== 200)).toEqual([]);
    expect(otherReads.map((answer) => answer.status).filter((status) => status !== 200)).toEqual([]);
  });
});
