// Flat cost with size (quality.md, issue 6 "Scale"): seeds one big tenant (and 100 others)
// with set-based SQL, then times the task list SQL the API runs (taskPageQuery) with 10 000
// and with 1 000 000 tasks in the big tenant, first page and 500 pages deep, and prints
// `EXPLAIN (ANALYZE, BUFFERS)` of each. Run with `npm run explain`.
//
// Settings (environment): DATABASE_URL (a server to use instead of an embedded one; a
// superuser, see `seedTasks`; the database `yello_explain` on it is dropped and recreated),
// EXPLAIN_RUNS (15 timed runs per query), EXPLAIN_SIZES (10000,1000000), EXPLAIN_PLANS=0
// to leave the plans out, and the app's own session settings
// (DATABASE_MAX_PARALLEL_WORKERS_PER_GATHER), so the plans are those of the app's connections.
import { availableParallelism } from 'node:os';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { loadConfig } from '../src/config/configuration.ts';
import { mikroOrmOptions, startupOptions } from '../src/database/mikro-orm.options.ts';
import {
  RANKED_SEARCH_WINDOW,
  taskPageQuery,
  type TaskFilter,
  type TaskOrder,
} from '../src/modules/tasks/task-list.query.ts';
import { sqlCompiler } from '../src/database/typed-sql.ts';
import { growTasks, seedTexts, TEXTS, type TaskTarget } from './support/big-tenant.ts';
import { Cleanup } from './support/cleanup.ts';
import { freshDatabase } from './support/database.ts';
import { positiveInteger } from './support/settings.ts';
import { timer } from './support/timed.ts';

const progress = (message: string): void => {
  process.stderr.write(`[explain] ${message}\n`);
};

function sizes(): number[] {
  const raw = process.env.EXPLAIN_SIZES ?? '10000,1000000';
  const values = raw.split(',').map(Number);
  if (
    values.some((value) => !Number.isInteger(value) || value < 1) ||
    values.some((v, i) => i > 0 && v <= (values[i - 1] ?? 0))
  ) {
    throw new Error(`EXPLAIN_SIZES must be increasing positive integers, got "${raw}"`);
  }
  return values;
}

const settings = {
  runs: positiveInteger('EXPLAIN_RUNS', 15),
  sizes: sizes(),
  plans: process.env.EXPLAIN_PLANS !== '0',
  /** The session the app's pool opens (parallel query off by default). */
  session: loadConfig(process.env).database,
};

/** How deep the "deep" page starts: 500 pages of 20. */
const DEEP_OFFSET = 10_000;
const PAGE = 20;
const OTHER_TENANTS = 100;
const OTHER_TENANT_TASKS = 200;
const BIG_TENANT_MEMBERS = 8;
/** quality.md: 1M within 1.5× of 10k. */
const TARGET_RATIO = 1.5;

// Deterministic ids, so rows can refer to each other without lookups.
const BIG_TENANT = "md5('bench-tenant-0')::uuid";
const PROJECTS = [
  { key: 'YEL', name: 'Yello core' },
  { key: 'WEB', name: 'Web app' },
  { key: 'OPS', name: 'Operations' },
  { key: 'MOB', name: 'Mobile' },
] as const;
/** Two words of the list, AND-ed by websearch_to_tsquery: a middling hit rate. */
const SEARCH = 'export invoice';

interface Shape {
  name: string;
  filter: Omit<TaskFilter, 'projectId'>;
  order: TaskOrder;
  /** quality.md names the shapes that must stay flat. */
  flat: boolean;
}

const SHAPES: readonly Shape[] = [
  { name: '-createdAt (default)', filter: {}, order: { field: 'createdAt', descending: true }, flat: true },
  { name: 'dueDate', filter: {}, order: { field: 'dueDate', descending: false }, flat: true },
  { name: '-dueDate', filter: {}, order: { field: 'dueDate', descending: true }, flat: false },
  { name: 'priority', filter: {}, order: { field: 'priority', descending: false }, flat: true },
  { name: '-priority', filter: {}, order: { field: 'priority', descending: true }, flat: true },
  { name: '-updatedAt', filter: {}, order: { field: 'updatedAt', descending: true }, flat: false },
  { name: 'position', filter: {}, order: { field: 'position', descending: false }, flat: false },
  {
    name: 'status=todo,in_progress',
    filter: { statuses: ['todo', 'in_progress'] },
    order: { field: 'createdAt', descending: true },
    flat: true,
  },
  { name: 'blocked=true', filter: { blocked: true }, order: { field: 'createdAt', descending: true }, flat: true },
  {
    name: `q="${SEARCH}" (relevance)`,
    filter: { q: SEARCH },
    order: { field: 'relevance' },
    flat: true,
  },
];

const SCOPES = [
  { name: 'project', projectId: true },
  { name: 'tenant', projectId: false },
] as const;

const cleanup = new Cleanup(progress);

const timed = timer(progress);

/** The database, migrated with the app's own migrations. */
async function migrate(url: string): Promise<void> {
  const orm = await MikroORM.init(
    mikroOrmOptions({ url, poolMax: 1 }, { entities: [], discovery: { warnWhenNoEntities: false }, preferTs: true }),
  );
  try {
    await orm.migrator.up();
  } finally {
    await orm.close();
  }
}

/** Users, tenants, memberships, projects and labels; the tasks come in `seedTasks`. */
async function seedTenants(db: pg.Client): Promise<void> {
  await db.query(`insert into users (id, email, name, password_hash, created_at, updated_at)
    select md5('bench-user-' || i)::uuid, 'user' || i || '@bench.example.com', 'Bench user ' || i,
      '$2b$12$' || repeat('x', 53), now(), now()
    from generate_series(0, ${BIG_TENANT_MEMBERS + OTHER_TENANTS - 1}) i`);
  await db.query(`insert into tenants (id, name, slug, created_at, updated_at)
    select md5('bench-tenant-' || i)::uuid, 'Bench tenant ' || i, 'bench-' || i, now(), now()
    from generate_series(0, ${OTHER_TENANTS}) i`);
  // The big tenant: an owner and members of every role; each other tenant: its owner.
  await db.query(`insert into memberships (id, tenant_id, user_id, role, created_at)
    select uuidv7(), ${BIG_TENANT}, md5('bench-user-' || i)::uuid,
      (array['owner', 'admin', 'member', 'member', 'member', 'member', 'member', 'viewer'])[i + 1]::tenant_role, now()
    from generate_series(0, ${BIG_TENANT_MEMBERS - 1}) i
    union all
    select uuidv7(), md5('bench-tenant-' || i)::uuid, md5('bench-user-' || (${BIG_TENANT_MEMBERS - 1} + i))::uuid, 'owner', now()
    from generate_series(1, ${OTHER_TENANTS}) i`);
  await db.query(
    `insert into projects (id, tenant_id, key, name, created_at, updated_at)
    select md5('bench-project-' || p.i)::uuid, ${BIG_TENANT}, p.key, p.name, now(), now()
    from unnest($1::text[], $2::text[]) with ordinality as p(key, name, i)
    union all
    select md5('bench-other-project-' || i)::uuid, md5('bench-tenant-' || i)::uuid, 'OTH', 'Other ' || i, now(), now()
    from generate_series(1, ${OTHER_TENANTS}) i`,
    [PROJECTS.map((project) => project.key), PROJECTS.map((project) => project.name)],
  );
  // Every project's six workflow states, as a project created through the API gets them.
  await db.query(`insert into project_states (id, tenant_id, project_id, key, name, category, position, is_default, created_at)
    select uuidv7(), p.tenant_id, p.id, s.key, s.key, s.category::state_category, s.position, s.key = 'todo', now()
    from projects p cross join (values ('backlog', 'backlog', 'a0'), ('todo', 'unstarted', 'a1'),
      ('in_progress', 'started', 'a2'), ('in_review', 'started', 'a3'), ('done', 'completed', 'a4'),
      ('canceled', 'canceled', 'a5')) as s(key, category, position)`);
  await db.query(`insert into labels (id, tenant_id, name, color, created_at, updated_at)
    select md5('bench-label-' || i)::uuid, ${BIG_TENANT}, 'label ' || i, '#' || substr(md5(i::text), 1, 6), now(), now()
    from generate_series(1, 20) i`);
}

async function seedOtherTenantTasks(db: pg.Client): Promise<void> {
  await db.query(
    `insert into tasks (id, tenant_id, project_id, key, number, title, description, status, status_category, priority,
      assignee_id, reporter_id, position, version, created_at, updated_at)
    select md5('bench-other-task-' || tn || '-' || n)::uuid, md5('bench-tenant-' || tn)::uuid,
      md5('bench-other-project-' || tn)::uuid, 'OTH-' || n, n, x.title, x.description,
      'todo', 'unstarted', 'medium', md5('bench-user-' || (${BIG_TENANT_MEMBERS - 1} + tn))::uuid,
      md5('bench-user-' || (${BIG_TENANT_MEMBERS - 1} + tn))::uuid, 'a' || lpad(n::text, 4, '0') || 'V', 1,
      timestamptz '2024-01-01' + n * interval '1 hour', timestamptz '2024-01-01' + n * interval '1 hour'
    from generate_series(1, ${OTHER_TENANTS}) tn, generate_series(1, ${OTHER_TENANT_TASKS}) n
      join bench_texts x on x.i = (n * 101) % ${TEXTS}`,
  );
  await db.query(`update projects set last_task_number = ${OTHER_TENANT_TASKS} where key = 'OTH'`);
}

/** The big tenant's projects, people and labels, as `seedTasks` takes them. */
async function bigTenantTarget(db: pg.Client): Promise<TaskTarget> {
  const ids = async (prefix: string, from: number, to: number) =>
    (
      await db.query<{ ids: string[] }>(
        `select array_agg(md5($1 || i)::uuid::text order by i) as ids from generate_series(${from}, ${to}) i`,
        [prefix],
      )
    ).rows[0]?.ids ?? [];
  const projectIds = await ids('bench-project-', 1, PROJECTS.length);
  return {
    tenantId: bigTenantId,
    projects: PROJECTS.map((project, index) => ({ id: projectIds[index] ?? '', key: project.key, lastNumber: 0 })),
    userIds: await ids('bench-user-', 0, BIG_TENANT_MEMBERS - 2),
    labelIds: await ids('bench-label-', 1, 20),
  };
}

/** The big tenant's id as text, read once the database is up. */
let bigTenantId = '';

const compiler = sqlCompiler();

/** The SQL of one page and its parameters, as the API sends them (bound, not inlined). */
function pageSql(projectId: string | undefined, shape: Shape, after?: string[], first = PAGE): PageSql {
  const filter: TaskFilter = projectId === undefined ? shape.filter : { ...shape.filter, projectId };
  const { sql, parameters } = taskPageQuery(compiler, bigTenantId, filter, shape.order, { first, after }).compile();
  return { sql, parameters };
}

interface PageSql {
  sql: string;
  parameters: readonly unknown[];
}

/**
 * The keyset position of the row `DEEP_OFFSET` rows down (or of the deepest full page, when
 * fewer match), found by paging through the API's own SQL in big pages: the relevance order
 * is two parts with a window, which no single `OFFSET` query reproduces.
 */
async function deepAfter(
  db: pg.Client,
  projectId: string | undefined,
  shape: Shape,
): Promise<{ after: string[]; offset: number }> {
  const positions: string[][] = [];
  let after: string[] | undefined;
  const wanted = DEEP_OFFSET + PAGE + 1;
  while (positions.length < wanted) {
    const step = Math.min(100, wanted - positions.length); // the API's largest page
    const page = pageSql(projectId, shape, after, step);
    const { rows } = await db.query<{ id: string; sort_values: string[] }>(page.sql, [...page.parameters]);
    for (const row of rows.slice(0, step)) positions.push([...row.sort_values, row.id]);
    after = positions.at(-1);
    if (rows.length <= step) break;
  }
  const offset = Math.max(0, Math.min(DEEP_OFFSET, positions.length - PAGE - 1));
  const position = positions[Math.max(0, offset - 1)];
  if (!position) throw new Error(`${shape.name}: no rows to page through`);
  return { after: position, offset };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
}

function isPlanNode(value: unknown): value is PlanNode {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'Node Type') === 'string';
}

/** What in a plan breaks "served by an index": a sequential scan of tasks, or sorting more than a bounded set. */
function planProblems(node: PlanNode): string[] {
  const own: string[] = [];
  if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'tasks') own.push('Seq Scan on tasks');
  if (node['Node Type'] === 'Sort') {
    const input = node.Plans?.[0]?.['Actual Rows'] ?? 0;
    // A search ranks a bounded window (and, while few rows match, sorts all of them).
    if (input > 2 * Math.max(PAGE * 10, RANKED_SEARCH_WINDOW)) own.push(`Sort of ${input} rows`);
  }
  return [...own, ...(node.Plans ?? []).flatMap(planProblems)];
}

async function explain(db: pg.Client, { sql, parameters }: PageSql): Promise<{ text: string; problems: string[] }> {
  const { rows: json } = await db.query<{ 'QUERY PLAN': unknown }>(`explain (analyze, format json) ${sql}`, [
    ...parameters,
  ]);
  const document = json[0]?.['QUERY PLAN'];
  const root: unknown = Array.isArray(document) ? Reflect.get(document[0] ?? {}, 'Plan') : undefined;
  if (!isPlanNode(root)) throw new Error('EXPLAIN returned no plan');
  const { rows: text } = await db.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${sql}`, [...parameters]);
  return { text: text.map((row) => row['QUERY PLAN']).join('\n'), problems: planProblems(root) };
}

async function medianMs(db: pg.Client, { sql, parameters }: PageSql): Promise<number> {
  await db.query(sql, [...parameters]); // warm-up
  const times: number[] = [];
  for (let run = 0; run < settings.runs; run++) {
    const started = performance.now();
    await db.query(sql, [...parameters]);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

interface Measurement {
  first: number;
  deep: number;
  deepOffset: number;
  problems: string[];
}

async function measureAll(db: pg.Client, size: number, out: string[]): Promise<Map<string, Measurement>> {
  const results = new Map<string, Measurement>();
  const projectId = (await db.query<{ id: string }>(`select md5('bench-project-1')::uuid::text as id`)).rows[0]?.id;
  for (const scope of SCOPES) {
    for (const shape of SHAPES) {
      const label = `${scope.name} ${shape.name}`;
      const scopeProject = scope.projectId ? projectId : undefined;
      const first = pageSql(scopeProject, shape);
      const deepPosition = await deepAfter(db, scopeProject, shape);
      const deep = pageSql(scopeProject, shape, deepPosition.after);
      const firstPlan = await explain(db, first);
      const deepPlan = await explain(db, deep);
      const measurement: Measurement = {
        first: await medianMs(db, first),
        deep: await medianMs(db, deep),
        deepOffset: deepPosition.offset,
        problems: [...firstPlan.problems.map((p) => `first: ${p}`), ...deepPlan.problems.map((p) => `deep: ${p}`)],
      };
      results.set(label, measurement);
      progress(
        `${size} tasks, ${label}: first ${measurement.first.toFixed(2)} ms, deep (offset ${measurement.deepOffset}) ` +
          `${measurement.deep.toFixed(2)} ms${measurement.problems.length ? `, PLAN: ${measurement.problems.join('; ')}` : ''}`,
      );
      if (settings.plans) {
        const shown = (page: PageSql) => `${page.sql}\n-- parameters: ${JSON.stringify(page.parameters)}`;
        out.push(`-- ${size} tasks, ${label}, first page`, shown(first), firstPlan.text, '');
        out.push(`-- ${size} tasks, ${label}, after row ${deepPosition.offset}`, shown(deep), deepPlan.text, '');
      }
    }
  }
  return results;
}

function formatTable(runs: readonly { size: number; results: Map<string, Measurement> }[]): {
  text: string;
  failed: string[];
} {
  const small = runs[0];
  const large = runs.at(-1);
  if (!small || !large) throw new Error('nothing measured');
  const k = (size: number) =>
    size >= 1_000_000 ? `${size / 1_000_000}M` : size >= 1000 ? `${size / 1000}k` : String(size);
  const header = [
    'shape',
    `${k(small.size)} first`,
    `${k(small.size)} deep`,
    `${k(large.size)} first`,
    `${k(large.size)} deep`,
    'ratio first/deep',
    'plan',
    `target ≤ ${TARGET_RATIO}×`,
  ];
  const failed: string[] = [];
  const body = [...large.results.entries()].map(([label, big]) => {
    const little = small.results.get(label);
    if (!little) throw new Error(`no ${k(small.size)} result for ${label}`);
    const flat = SHAPES.find((shape) => label.endsWith(shape.name))?.flat ?? false;
    // Sub-millisecond noise is not growth: ratios are taken on at least 1 ms.
    const ratio = (a: number, b: number) => Math.max(a, 1) / Math.max(b, 1);
    const worst = Math.max(ratio(big.first, little.first), ratio(big.deep, little.deep));
    const problems = [
      ...little.problems.map((p) => `${k(small.size)} ${p}`),
      ...big.problems.map((p) => `${k(large.size)} ${p}`),
    ];
    // A search that few rows match sorts all of them (hundreds at 10k): bounded by the matches,
    // not the tenant. Whether a sort grows with the data shows at the largest size, so a
    // smaller size's sort is shown but fails nothing.
    const failing = [...little.problems.filter((problem) => !problem.includes('Sort of')), ...big.problems];
    const verdict = !flat ? '(not a target)' : worst <= TARGET_RATIO && failing.length === 0 ? 'PASS' : 'FAIL';
    if (verdict === 'FAIL') failed.push(label);
    const ms = (value: number) => value.toFixed(2);
    return [
      label,
      ms(little.first),
      `${ms(little.deep)} @${little.deepOffset}`,
      ms(big.first),
      `${ms(big.deep)} @${big.deepOffset}`,
      `${ratio(big.first, little.first).toFixed(2)} / ${ratio(big.deep, little.deep).toFixed(2)}`,
      problems.length ? problems.join('; ') : 'index',
      verdict,
    ];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => cells[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (column === 0 || column >= 6 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column === 0 || column >= 6 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return { text: [line(header), rule, ...body.map(line)].join('\n'), failed };
}

async function main(): Promise<number> {
  const url = await freshDatabase('yello_explain', cleanup, progress);
  await timed('migrate', () => migrate(url));

  const db = new pg.Client({ connectionString: url, options: startupOptions(settings.session) });
  await db.connect();
  cleanup.add('close the connection', () => db.end());
  // Seeding only: no WAL flush per statement, and the data is generated consistent, so the
  // foreign-key triggers (eight per task row) are skipped; this needs a superuser.
  await db.query(`set synchronous_commit = off; set maintenance_work_mem = '256MB'; select setseed(0.42)`);
  bigTenantId = (await db.query<{ id: string }>(`select ${BIG_TENANT}::text as id`)).rows[0]?.id ?? '';

  const seedStarted = performance.now();
  await timed(
    `seed users, ${OTHER_TENANTS + 1} tenants, memberships (${BIG_TENANT_MEMBERS} in the big tenant), ${PROJECTS.length} projects, 20 labels`,
    () => seedTenants(db),
  );
  await timed(`generate ${TEXTS} titles and descriptions`, () => seedTexts(db));
  await db.query(`set session_replication_role = replica`);
  await timed(`seed ${OTHER_TENANTS} × ${OTHER_TENANT_TASKS} tasks in the other tenants`, () =>
    seedOtherTenantTasks(db),
  );

  const out: string[] = [];
  const runs: { size: number; results: Map<string, Measurement> }[] = [];
  let seeded = 0;
  const target = await bigTenantTarget(db);
  for (const size of settings.sizes) {
    await growTasks(db, target, seeded, size, timed);
    seeded = size;
    progress(`seeded ${size} big-tenant tasks in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s so far`);
    out.push(`==== ${size} tasks in the big tenant ====`, '');
    runs.push({ size, results: await measureAll(db, size, out) });
  }

  const { rows: counts } = await db.query<{ tasks: number; matches: number; labels: number }>(
    `select (select count(*)::int from tasks) as tasks, (select count(*)::int from task_labels) as labels,
      (select count(*)::int from tasks where tenant_id = ${BIG_TENANT} and search @@ websearch_to_tsquery('english', $1)) as matches`,
    [SEARCH],
  );
  const { text, failed } = formatTable(runs);
  const summary = [
    '',
    `Task list SQL (taskPageQuery) medians of ${settings.runs} runs in ms, page of ${PAGE}; "deep" = the page after row N ` +
      `(keyset), N = ${DEEP_OFFSET} or the deepest full page when fewer rows match; ratio = largest size / smallest (each ≥ 1 ms).`,
    `Node ${process.version}, ${availableParallelism()} CPUs, PostgreSQL ${(await db.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]?.v ?? '?'}, ` +
      `max_parallel_workers_per_gather ${settings.session.maxParallelWorkersPerGather} (the app's); ` +
      `${counts[0]?.tasks} tasks in all (${OTHER_TENANTS} other tenants × ${OTHER_TENANT_TASKS}), ${counts[0]?.labels} label links, ` +
      `q matches ${counts[0]?.matches} tasks of the big tenant at the largest size.`,
    '',
    text,
    '',
  ];
  process.stdout.write(`${settings.plans ? `${out.join('\n')}\n` : ''}${summary.join('\n')}\n`);
  if (failed.length > 0) {
    progress(`FAIL: ${failed.join(', ')}`);
    return 1;
  }
  progress('PASS');
  return 0;
}

await cleanup.runMain(main);
