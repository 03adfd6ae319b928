// Set-based seeding of a big tenant's tasks (`insert … select … from generate_series`), shared
// by `npm run explain` (query plans at 1M tasks) and `npm run bench -- --scale` (the API at
// 1M tasks). Rows are generated consistent, so loading skips the foreign-key triggers (a
// superuser's `session_replication_role = replica`) and rebuilds the plain indexes once.
import pg from 'pg';

/** Task vocabulary; words early in the list are drawn far more often (rank ~ u²). */
export const WORDS = (
  'login page error database timeout deploy release customer invoice payment report dashboard chart export import ' +
  'search filter notification email password account profile settings permission role admin upload download image ' +
  'video cache latency memory server client mobile android iphone tablet browser firefox chrome safari layout button ' +
  'modal sidebar header footer table column migration schema index query backup restore monitor alert metric log ' +
  'trace session token cookie security audit compliance billing subscription pricing discount coupon refund shipping ' +
  'warehouse inventory supplier vendor contract onboarding tutorial documentation translation locale currency ' +
  'timezone calendar meeting reminder deadline sprint roadmap milestone estimate budget forecast analytics funnel ' +
  'conversion campaign newsletter webhook integration slack github jira zapier crash freeze regression flaky ' +
  'spinner tooltip dropdown checkbox keyboard shortcut accessibility contrast font typography illustration logo ' +
  'banner carousel gallery thumbnail avatar badge leaderboard quota throttle firewall certificate kubernetes ' +
  'terraform docker pipeline artifact rollback canary hotfix changelog'
).split(' ');

/**
 * Task n goes to project RESIDUE_PROJECT[n % 10] (50/30/10/10 %), and is number
 * base + n / 10 * SHARE + (n % 10 - FIRST) + 1 there: unique, gap-free, growing with n.
 */
const RESIDUE_PROJECT = [0, 0, 0, 0, 0, 1, 1, 1, 2, 3];
const PROJECT_SHARE = [5, 3, 1, 1];
const PROJECT_FIRST_RESIDUE = [0, 5, 8, 9];

/** Where the tasks go: exactly four projects (50/30/10/10 %), their people and labels. */
export interface TaskTarget {
  tenantId: string;
  projects: readonly { id: string; key: string; lastNumber: number }[];
  /** Reporters and assignees (20 % of tasks are unassigned). */
  userIds: readonly string[];
  labelIds: readonly string[];
}

/** A `count`-word text from WORDS ($1), drawn with a skew so hit rates vary by word. */
const words = (count: string) =>
  `array_to_string(array(select w[1 + floor(cardinality(w) * power(random(), 2))::int] from generate_series(1, ${count})), ' ')`;

/** Texts are drawn from a pool: generating words per row would dominate the seeding time. */
export const TEXTS = 19_997;

export async function seedTexts(db: pg.Client): Promise<void> {
  await db.query(
    `create temporary table bench_texts as
    select i, ${words('3 + i % 6')} as title, case when i % 4 = 0 then null else ${words('8 + i % 23')} end as description
    from generate_series(0, ${TEXTS - 1}) i, (select $1::text[] as w) c`,
    [WORDS],
  );
  await db.query('alter table bench_texts add primary key (i)');
}

/**
 * Tasks `from`..`to` (exclusive), plus the label links of some and a `blocks` relation to one in twenty. Key, number and position
 * grow with n; position is `a` + four base-62 digits + `V`: valid fractional-indexing keys
 * (integer part `aX`, a fraction not ending in 0), all of one length.
 */
export async function seedTasks(db: pg.Client, target: TaskTarget, from: number, to: number): Promise<void> {
  if (target.projects.length !== PROJECT_SHARE.length) throw new Error('seedTasks takes exactly four projects');
  const params = [
    target.projects.map((project) => project.key),
    target.projects.map((project) => project.id),
    target.projects.map((project) => project.lastNumber),
    target.userIds,
    target.tenantId,
  ];
  await db.query(
    `insert into tasks (id, tenant_id, project_id, key, number, title, description, status, status_category, priority,
      assignee_id, reporter_id, due_date, parent_id, position, completed_at, version, created_at, updated_at)
    select md5('bench-task-' || n)::uuid, $5::uuid, ($2::uuid[])[p + 1],
      ($1::text[])[p + 1] || '-' || number, number, title, description, status,
      (case status when 'backlog' then 'backlog' when 'todo' then 'unstarted' when 'done' then 'completed'
        when 'canceled' then 'canceled' else 'started' end)::state_category, priority,
      case when random() < 0.2 then null else ($4::uuid[])[1 + floor(random() * cardinality($4::uuid[]))::int] end,
      ($4::uuid[])[1 + floor(random() * cardinality($4::uuid[]))::int],
      case when random() < 0.3 then null else (created_at::date + floor(random() * 150 - 30)::int) end,
      case when n >= 10 and n % 7 = 0 then md5('bench-task-' || (n - 10))::uuid end,
      'a' || substr(d, (n / 238328) % 62 + 1, 1) || substr(d, (n / 3844) % 62 + 1, 1) ||
        substr(d, (n / 62) % 62 + 1, 1) || substr(d, n % 62 + 1, 1) || 'V',
      case when status = 'done' then created_at + interval '9 days' end, 1, created_at,
      created_at + random() * interval '20 days'
    from (
      select n, p, ($3::int[])[p + 1] + (n / 10) * (array[${PROJECT_SHARE.join(',')}])[p + 1] + (n % 10 - (array[${PROJECT_FIRST_RESIDUE.join(',')}])[p + 1]) + 1 as number,
        x.title, x.description,
        (array['backlog', 'backlog', 'todo', 'todo', 'todo', 'in_progress', 'in_progress', 'in_review', 'done',
          'done', 'done', 'done', 'done', 'done', 'done', 'done', 'done', 'canceled', 'canceled', 'todo'])[1 + floor(random() * 20)::int] as status,
        (array['none', 'none', 'none', 'none', 'low', 'low', 'medium', 'medium', 'high', 'urgent'])[1 + floor(random() * 10)::int]::task_priority as priority,
        timestamptz '2023-01-01' + n * interval '90 seconds' + random() * interval '60 seconds' as created_at,
        c.d
      from generate_series(${from}, ${to - 1}) n
        join bench_texts x on x.i = n % ${TEXTS},
        (select '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz' as d) c,
        lateral (select (array[${RESIDUE_PROJECT.join(',')}])[n % 10 + 1] as p) project
    ) s`,
    params,
  );
  if (target.labelIds.length > 0) {
    await db.query(
      `insert into task_labels (task_id, label_id, tenant_id)
      select md5('bench-task-' || n)::uuid, ($1::uuid[])[1 + (n * 7 + k) % cardinality($1::uuid[])], $2::uuid
      from generate_series(${from}, ${to - 1}) n, generate_series(0, n % 3 - 1) k
      where n % 5 < 2`,
      [target.labelIds, target.tenantId],
    );
  }
  // One task in twenty is blocked by the task before it (about half of those blockers are
  // done or canceled): what `blocked=true` lists. Which one of each twenty turns with n, so
  // every project gets its share (`n % 20 = 19` put them all in the 10 % project, and the
  // listed project's `blocked=true` list was empty).
  await db.query(
    `insert into task_relations (id, tenant_id, type, source_id, target_id, created_at)
    select md5('bench-relation-' || n)::uuid, $1::uuid, 'blocks', md5('bench-task-' || (n - 1))::uuid,
      md5('bench-task-' || n)::uuid, timestamptz '2023-01-01' + n * interval '90 seconds'
    from generate_series(greatest(${from}, 1), ${to - 1}) n
    where n % 20 = (n / 20) % 20`,
    [target.tenantId],
  );
  await db.query(
    `update projects p set last_task_number = coalesce((select max(number) from tasks t
      where t.tenant_id = p.tenant_id and t.project_id = p.id), 0) where p.tenant_id = $1::uuid`,
    [target.tenantId],
  );
}

/**
 * Grows the target's seeded tasks from `from` to `to`: drops the plain indexes of `tasks`
 * (building an index once is far cheaper than growing it row by row, the GIN index most of
 * all), loads in slices of 100 000 with progress, rebuilds the indexes from their own
 * definitions, then `VACUUM ANALYZE` and a checkpoint (so the load's dirty pages are not
 * flushed in the middle of the timings). Needs a superuser (skips foreign-key triggers).
 */
export async function growTasks(
  db: pg.Client,
  target: TaskTarget,
  from: number,
  to: number,
  timed: <T>(label: string, work: () => Promise<T>) => Promise<T>,
): Promise<void> {
  await db.query(`set session_replication_role = replica`);
  const { rows: indexes } = await db.query<{ name: string; definition: string }>(
    `select indexname as name, indexdef as definition from pg_indexes where tablename = 'tasks'
      and indexname not in (select conname from pg_constraint where conrelid = 'tasks'::regclass)`,
  );
  for (const index of indexes) await db.query(`drop index ${pg.escapeIdentifier(index.name)}`);
  // In slices, so progress shows and no one statement holds a huge transaction.
  const slice = 100_000;
  for (let start = from; start < to; start += slice) {
    const end = Math.min(to, start + slice);
    await timed(`seed tasks ${start}..${end}`, () => seedTasks(db, target, start, end));
  }
  await timed(`rebuild ${indexes.length} indexes of tasks`, async () => {
    for (const index of indexes) await db.query(index.definition);
  });
  await db.query(`set session_replication_role = origin`);
  await timed('vacuum analyze', () => db.query('vacuum analyze'));
  await timed('checkpoint', () => db.query('checkpoint'));
}
