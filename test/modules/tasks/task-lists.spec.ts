import { useTestApp } from '../../support/test-app.js';
import { createTenant, createTenantCrew, type TenantCrew } from '../../factories/tenants.js';
import type { RegisteredUser } from '../../factories/users.js';
import { RANKED_SEARCH_WINDOW } from '../../../src/modules/tasks/task-list.query.js';
import {
  createLabel,
  createProject,
  createTask,
  type CreatedProject,
  type CreatedTask,
} from '../../factories/projects.js';

const STATUS_ORDER = ['backlog', 'todo', 'in_progress', 'in_review', 'done', 'canceled'];
const PRIORITY_ORDER = ['none', 'low', 'medium', 'high', 'urgent'];

/** A small deterministic generator, so a failure replays exactly. */
function generator(seed: number) {
  let state = seed;
  return <T>(values: readonly T[]): T => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const value = values[state % values.length];
    if (value === undefined) throw new Error('empty choice');
    return value;
  };
}

type Row = CreatedTask & { createdAt: string; updatedAt: string };

/** The documented order of each sort, as an oracle independent of the SQL. */
function compareBy(sort: string): (a: Row, b: Row) => number {
  const descending = sort.startsWith('-');
  const field = descending ? sort.slice(1) : sort;
  const key = (row: Row): (string | number)[] => {
    switch (field) {
      case 'createdAt':
        return [Date.parse(row.createdAt)];
      case 'updatedAt':
        return [Date.parse(row.updatedAt)];
      case 'priority':
        return [PRIORITY_ORDER.indexOf(row.priority)];
      case 'position':
        return [STATUS_ORDER.indexOf(row.status), row.position];
      case 'dueDate': // missing due dates last, both ways
        return [row.dueDate ?? (descending ? '' : '~')];
      default:
        throw new Error(sort);
    }
  };
  const compare = (x: string | number, y: string | number) => (x < y ? -1 : x > y ? 1 : 0);
  return (a, b) => {
    const [ka, kb] = [
      [...key(a), a.id],
      [...key(b), b.id],
    ];
    for (let i = 0; i < ka.length; i++) {
      const order = compare(ka[i] ?? '', kb[i] ?? '');
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  };
}

describe('task lists', () => {
  const t = useTestApp();
  let crew: TenantCrew;
  let project: CreatedProject;
  let rows: Row[];
  let labels: { id: string }[];
  const base = () => `/api/v1/tenants/${crew.tenant.id}`;
  const list = async (path: string, as = crew.viewer) => (await t.http.get(path).set(as.auth).expect(200)).body;
  const keysOf = (page: { data: CreatedTask[] }) => page.data.map((task) => task.key).sort();

  /** Every page of a list, followed through `nextCursor`. */
  async function allPages(path: string): Promise<Row[]> {
    return allPagesAs(path, crew.viewer);
  }

  async function allPagesAs(path: string, as: RegisteredUser, from: string | null = null): Promise<Row[]> {
    const found: Row[] = [];
    let cursor: string | null = from;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page: { data: Row[]; nextCursor: string | null } = await list(
        cursor === null ? path : `${path}${separator}cursor=${encodeURIComponent(cursor)}`,
        as,
      );
      found.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return found;
  }

  beforeAll(async () => {
    crew = await createTenantCrew(t.http);
    project = await createProject(t.http, crew.tenant.id, crew.owner, { key: 'LST' });
    labels = await Promise.all([1, 2].map(() => createLabel(t.http, crew.tenant.id, crew.owner)));
    const pick = generator(42);
    const words = ['invoice', 'export', 'login', 'crash', 'report'];
    for (let i = 0; i < 24; i++) {
      await createTask(t.http, crew.tenant.id, project.id, crew.member, {
        title: `${pick(words)} ${pick(words)} ${i}`,
        status: pick(['todo', 'in_progress', 'done', 'backlog']),
        priority: pick(PRIORITY_ORDER),
        dueDate: pick([null, null, '2026-12-01', '2026-12-15', '2027-01-10']),
        assigneeId: pick([null, crew.member.id, crew.admin.id]),
        labelIds: pick([[], [labels[0]?.id], [labels[1]?.id], labels.map((l) => l.id)]),
      });
    }
    // Ties everywhere: three creation and update instants (positions are unique per column).
    await t.orm.em.getConnection().execute(
      `update tasks set created_at = timestamptz '2026-11-01 10:00Z' + (number % 3) * interval '1 hour',
           updated_at = timestamptz '2026-11-02 10:00Z' + (number % 2) * interval '1 hour'
         where tenant_id = ?`,
      [crew.tenant.id],
    );
    rows = await allPages(`${base()}/projects/${project.id}/tasks?limit=100`);
    expect(rows).toHaveLength(24);
  });

  const SORTS = ['createdAt', 'updatedAt', 'dueDate', 'priority', 'position'].flatMap((s) => [s, `-${s}`]);
  const FILTERS: [string, (row: Row) => boolean][] = [
    ['', () => true],
    ['status=todo,done', (row) => ['todo', 'done'].includes(row.status)],
    ['assigneeId=none', (row) => row.assigneeId === null],
    ['priority=high&priority=urgent', (row) => ['high', 'urgent'].includes(row.priority)],
  ];
  const cases = SORTS.flatMap((sort, i) =>
    FILTERS.map(([query, keep], j) => [sort, query, ((i * 4 + j) % 7) + 1, keep] as const),
  );

  it.each(cases)(
    'pages sort=%s %s with limit %i: no row skipped or repeated, in the documented order',
    async (sort, query, limit, keep) => {
      const path = `${base()}/projects/${project.id}/tasks?sort=${sort}&limit=${limit}${query ? `&${query}` : ''}`;
      const paged = await allPages(path);
      const expected = rows.filter(keep).sort(compareBy(sort));
      expect(paged.map((row) => row.key)).toEqual(expected.map((row) => row.key));
    },
  );

  it('pages the board order tenant-wide: columns by state, the projects interleaved in each', async () => {
    const tenant = await createTenant(t.http, crew.owner);
    const projects = [
      await createProject(t.http, tenant.id, crew.owner),
      await createProject(t.http, tenant.id, crew.owner),
    ];
    const pick = generator(7);
    for (let i = 0; i < 16; i++) {
      await createTask(t.http, tenant.id, projects[i % 2]?.id ?? '', crew.owner, {
        title: `Board ${i}`,
        status: pick(['backlog', 'todo', 'done']),
      });
    }
    const path = `/api/v1/tenants/${tenant.id}/tasks`;
    const all = await allPagesAs(`${path}?limit=100`, crew.owner);
    expect(new Set(all.map((row) => row.projectId)).size).toBe(2);
    for (const sort of ['position', '-position']) {
      const paged = await allPagesAs(`${path}?sort=${sort}&limit=3`, crew.owner);
      expect(paged.map((row) => row.key)).toEqual(all.sort(compareBy(sort)).map((row) => row.key));
    }
  });

  it('pages a full-text search in relevance order, stably', async () => {
    const path = `${base()}/projects/${project.id}/tasks?q=${encodeURIComponent('invoice or crash')}`;
    const unpaged = (await list(`${path}&limit=100`)).data.map((row: Row) => row.key);
    expect(unpaged.length).toBeGreaterThan(3);
    expect((await allPages(`${path}&limit=2`)).map((row) => row.key)).toEqual(unpaged);
    const stemmed = await list(`${base()}/tasks?q=${encodeURIComponent('"crashes"')}&limit=100`);
    expect(stemmed.data.length).toBe(rows.filter((row) => row.title.includes('crash')).length);
  });

  it('ranks the newest matches of a big search, then lists older ones newest first, stably', async () => {
    const tenant = await createTenant(t.http, crew.owner);
    const searched = await createProject(t.http, tenant.id, crew.owner);
    const older = 15;
    const titles = Array.from({ length: RANKED_SEARCH_WINDOW + older }, (_, i) =>
      i < older || i % 10 === 0 ? `Invoice export: invoice totals, invoice ${i}` : `Payroll invoice ${i}`,
    );
    for (let i = 0; i < titles.length; i += 20) {
      const batch = titles.slice(i, i + 20);
      await Promise.all(batch.map((title) => createTask(t.http, tenant.id, searched.id, crew.owner, { title })));
    }
    // Creation order = number, so the window is known: numbers above `older`.
    await t.orm.em
      .getConnection()
      .execute(
        `update tasks set created_at = timestamptz '2026-11-01Z' + number * interval '1 second' where tenant_id = ?`,
        [tenant.id],
      );
    const path = `/api/v1/tenants/${tenant.id}/tasks?q=invoice&limit=7`;
    const firstPage = (await t.http.get(path).set(crew.owner.auth).expect(200)).body;
    await createTask(t.http, tenant.id, searched.id, crew.owner, { title: 'A late invoice' });
    const rest = await allPagesAs(path, crew.owner, firstPage.nextCursor);
    const listed: CreatedTask[] = [...firstPage.data, ...rest].filter(
      (task: CreatedTask) => task.title !== 'A late invoice',
    );
    const numbers = listed.map((task) => Number(task.key.split('-')[1]));

    expect(new Set(numbers).size).toBe(titles.length);
    const ranked = listed.slice(0, RANKED_SEARCH_WINDOW);
    expect(numbers.slice(0, RANKED_SEARCH_WINDOW).sort((a, b) => a - b)).toEqual(
      titles.map((_, i) => i + 1).slice(older),
    );
    const strong = (task: CreatedTask) => task.title.startsWith('Invoice export');
    expect(ranked.findLastIndex(strong)).toBeLessThan(ranked.findIndex((task) => !strong(task)));
    expect(numbers.slice(RANKED_SEARCH_WINDOW)).toEqual(titles.map((_, i) => older - i).slice(0, older));
  });

  it('filters by each field', async () => {
    const expectKeys = async (query: string, keep: (row: Row) => boolean, as = crew.viewer) =>
      expect(keysOf(await list(`${base()}/tasks?limit=100&${query}`, as))).toEqual(
        rows
          .filter(keep)
          .map((row) => row.key)
          .sort(),
      );
    const [first, second] = labels.map((label) => label.id);
    await expectKeys('assigneeId=me', (row) => row.assigneeId === crew.member.id, crew.member);
    await expectKeys(`assigneeId=${crew.admin.id}`, (row) => row.assigneeId === crew.admin.id);
    await expectKeys(`labelId=${first}`, (row) => row.labelIds.includes(first ?? ''));
    await expectKeys(`labelId=${first},${second}`, (row) => row.labelIds.length > 0);
    await expectKeys(`labelId=${first}&labelId=${second}`, (row) => row.labelIds.length > 0);
    await expectKeys('dueBefore=2026-12-15', (row) => row.dueDate !== null && row.dueDate < '2026-12-15');
    await expectKeys('dueAfter=2026-12-01&dueBefore=2027-01-10', (row) => row.dueDate === '2026-12-15');
    await expectKeys(`projectId=${project.id}&parentId=none`, () => true);
  });

  it('lists sub-tasks of a parent, and the tenant-wide list spans projects', async () => {
    const other = await createProject(t.http, crew.tenant.id, crew.owner);
    const parent = await createTask(t.http, crew.tenant.id, other.id, crew.member);
    const child = await createTask(t.http, crew.tenant.id, other.id, crew.member, { parentId: parent.id });
    expect(keysOf(await list(`${base()}/tasks?parentId=${parent.id}`))).toEqual([child.key]);
    expect((await list(`${base()}/tasks?projectId=${other.id}`)).data).toHaveLength(2);
    expect((await list(`${base()}/tasks?limit=100`)).data).toHaveLength(26);
  });

  it('binds a cursor to its sort and filters, and refuses malformed filters', async () => {
    const first = await list(`${base()}/tasks?sort=priority&limit=2`);
    await t.http
      .get(`${base()}/tasks?sort=-priority&limit=2&cursor=${first.nextCursor}`)
      .set(crew.viewer.auth)
      .expect(400);
    await t.http
      .get(`${base()}/tasks?sort=priority&status=todo&limit=2&cursor=${first.nextCursor}`)
      .set(crew.viewer.auth)
      .expect(400);
    for (const query of [
      // Any state key passes (another project may have it); a malformed one does not.
      'status=In-Progress',
      'statusCategory=done',
      'priority=p1',
      'assigneeId=someone',
      'labelId=x',
      'parentId=top',
      'dueBefore=2026-13-01',
      'sort=title',
      'q=',
      'projectId=1',
      'stauts=todo',
    ]) {
      const response = await t.http.get(`${base()}/tasks?${query}`).set(crew.viewer.auth);
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
    }
    await t.http
      .get(`${base()}/projects/${project.id}/tasks?projectId=${project.id}`)
      .set(crew.viewer.auth)
      .expect(400);
    // A cursor belongs to its tenant too: the viewer's own tenant does not continue this one's list.
    const own = await createTenant(t.http, crew.viewer);
    await t.http
      .get(`/api/v1/tenants/${own.id}/tasks?sort=priority&limit=2&cursor=${first.nextCursor}`)
      .set(crew.viewer.auth)
      .expect(400);
    await t.http.get(`${base()}/projects/0190c7a4-0000-7000-8000-000000000000/tasks`).set(crew.viewer.auth).expect(404);
  });
});
