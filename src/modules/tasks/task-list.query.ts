import { sql, type Expression, type ExpressionBuilder, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../../database/database-schema.js';
import { sqlCompiler, StatementShapes } from '../../database/typed-sql.js';
import type { TaskSortField } from './dto/task.dto.js';
import { CLOSED_CATEGORIES, type StateCategory } from '../projects/states/workflow.js';
import type { TaskPriority } from './task-fields.js';

/**
 * The SQL of task lists, built and typed against the schema but not run: pure functions
 * of a filter, an order and a window, so `npm run explain` times and plans exactly what the
 * API sends, and a unit test can pin their shape.
 */

/** What a task list is narrowed to; every list is inside one tenant. */
export interface TaskFilter {
  projectId?: string;
  /** State keys. */
  statuses?: string[];
  statusCategories?: StateCategory[];
  priorities?: TaskPriority[];
  /** A user id, or null for unassigned tasks. */
  assigneeId?: string | null;
  labelIds?: string[];
  /** A task id, or null for top-level tasks. */
  parentId?: string | null;
  dueBefore?: string;
  dueAfter?: string;
  q?: string;
  /** Blocked: some task that blocks it is not closed (in a `completed` or `canceled` state). */
  blocked?: boolean;
}

/** A sort field and direction, or relevance to `q` (best match first). */
export type TaskOrder = FieldOrder | { field: 'relevance' };
interface FieldOrder {
  field: TaskSortField;
  descending: boolean;
}

/**
 * How many of the newest matches of a search are ranked by relevance; older matches follow
 * them, newest first. Ranking every match costs O(matches) (a heap read and a `ts_rank` per
 * matching row: 600 ms for 54 000 matches in a 1M-task tenant); ranking a bounded window
 * costs what finding it costs, whatever the tenant's size. Searches with fewer matches (the
 * usual case) are ranked in full.
 */
export const RANKED_SEARCH_WINDOW = 200;

/** Queries read tasks as `t` (and their label links as `tl`). */
type TaskListDb = Database & { t: Database['tasks'] };
type Tasks = ExpressionBuilder<TaskListDb, 't'>;

/** The full-text query of `q`; `search` is the generated tsvector the migrations own. */
const searchQuery = (q: string): RawBuilder<unknown> => sql`websearch_to_tsquery('english', ${q})`;
const matches = (q: string): RawBuilder<SqlBool> => sql<SqlBool>`t.search @@ ${searchQuery(q)}`;
const rank = (q: string): RawBuilder<number> => sql<number>`ts_rank(t.search, ${searchQuery(q)})`;

/** A cursor value as the list issued it (text), cast back to its column's type. */
const typed = (value: string, cast: string): RawBuilder<unknown> => sql`${value}::${sql.raw(cast)}`;

/**
 * The columns of a task as `TaskDto` needs them: the due date as text (a calendar date, no
 * time zone), the label ids as a sorted text array.
 */
export function taskColumns(eb: Tasks) {
  return [
    't.id',
    't.key',
    't.project_id',
    't.title',
    't.description',
    't.status',
    't.status_category',
    't.priority',
    't.assignee_id',
    't.reporter_id',
    sql<string | null>`${eb.ref('t.due_date')}::text`.as('due_date'),
    't.parent_id',
    't.position',
    't.completed_at',
    't.created_at',
    't.updated_at',
    't.version',
    sql<string[]>`array(${eb
      .selectFrom('task_labels as tl')
      .whereRef('tl.tenant_id', '=', 't.tenant_id')
      .whereRef('tl.task_id', '=', 't.id')
      .orderBy('tl.label_id')
      .select(sql<string>`tl.label_id::text`.as('label_id'))})`.as('label_ids'),
  ] as const;
}

/** The conditions of a filtered list; the tenant's always first. */
function filtered(eb: Tasks, tenantId: string, filter: TaskFilter): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [eb('t.tenant_id', '=', tenantId)];
  if (filter.projectId !== undefined) conditions.push(eb('t.project_id', '=', filter.projectId));
  if (filter.statuses?.length) conditions.push(eb('t.status', 'in', filter.statuses));
  if (filter.statusCategories?.length) conditions.push(eb('t.status_category', 'in', filter.statusCategories));
  if (filter.priorities?.length) conditions.push(eb('t.priority', 'in', filter.priorities));
  if (filter.assigneeId === null) conditions.push(eb('t.assignee_id', 'is', null));
  else if (filter.assigneeId !== undefined) conditions.push(eb('t.assignee_id', '=', filter.assigneeId));
  if (filter.parentId === null) conditions.push(eb('t.parent_id', 'is', null));
  else if (filter.parentId !== undefined) conditions.push(eb('t.parent_id', '=', filter.parentId));
  if (filter.labelIds?.length) {
    const labelIds = filter.labelIds;
    conditions.push(
      eb.exists(
        eb
          .selectFrom('task_labels as tl')
          .whereRef('tl.tenant_id', '=', 't.tenant_id')
          .whereRef('tl.task_id', '=', 't.id')
          .where('tl.label_id', 'in', labelIds)
          .select(sql`1`.as('one')),
      ),
    );
  }
  if (filter.dueBefore !== undefined) conditions.push(sql<SqlBool>`t.due_date < ${typed(filter.dueBefore, 'date')}`);
  if (filter.dueAfter !== undefined) conditions.push(sql<SqlBool>`t.due_date > ${typed(filter.dueAfter, 'date')}`);
  if (filter.q !== undefined) conditions.push(matches(filter.q));
  if (filter.blocked !== undefined) {
    // Through the relations' (tenant, target, type) index, then each blocker by primary key.
    const openBlocker = eb.exists(
      eb
        .selectFrom('task_relations as r')
        .innerJoin('tasks as b', (join) =>
          join.onRef('b.tenant_id', '=', 'r.tenant_id').onRef('b.id', '=', 'r.source_id'),
        )
        .whereRef('r.tenant_id', '=', 't.tenant_id')
        .whereRef('r.target_id', '=', 't.id')
        .where('r.type', '=', 'blocks')
        .where('b.status_category', 'not in', CLOSED_CATEGORIES)
        .select(sql`1`.as('one')),
    );
    conditions.push(filter.blocked ? openBlocker : eb.not(openBlocker));
  }
  return conditions;
}

/** The board position of a task's state (its column). */
const statePosition: RawBuilder<unknown> = sql`(select s.position from project_states s where s.tenant_id = t.tenant_id and s.project_id = t.project_id and s.key = t.status)`;

/**
 * The sort key of each order: SQL expressions (cast back from the cursor's text with
 * `cast`), followed by the id, so the keyset is total. Due dates sort missing ones last
 * both ways through ±infinity; priorities sort by the enum's declared order.
 */
function sortKey(order: FieldOrder): { sql: RawBuilder<unknown>; cast: string }[] {
  switch (order.field) {
    case 'createdAt':
      return [{ sql: sql`t.created_at`, cast: 'timestamptz' }];
    case 'updatedAt':
      return [{ sql: sql`t.updated_at`, cast: 'timestamptz' }];
    case 'priority':
      return [{ sql: sql`t.priority`, cast: 'task_priority' }];
    case 'position':
      // The board order: the columns as the project orders its states, then the column's order.
      return [
        { sql: statePosition, cast: 'text collate "C"' },
        { sql: sql`t.status`, cast: 'text' },
        { sql: sql`t.position`, cast: 'text collate "C"' },
      ];
    case 'dueDate':
      return [
        { sql: sql`coalesce(t.due_date, ${sql.lit(`${order.descending ? '-' : ''}infinity`)}::date)`, cast: 'date' },
      ];
  }
}

/** The number of cursor values of an order, the id included. */
export function keysetLength(order: TaskOrder): number {
  return order.field === 'relevance' ? RELEVANCE_CURSOR_VALUES + 1 : sortKey(order).length + 1;
}

/**
 * The SQL of one keyset page (one row more than `first`, to tell whether another page
 * follows), after the row whose sort values and id are `after`. Each row carries
 * `sort_values`, its position in the order as text (with its id: the next cursor).
 */
export function taskPageQuery(
  db: Kysely<Database>,
  tenantId: string,
  filter: TaskFilter,
  order: TaskOrder,
  window: { first: number; after?: string[] },
) {
  if (order.field === 'relevance') {
    if (filter.q === undefined) throw new Error('Relevance order without a search');
    return relevancePageQuery(db, tenantId, { ...filter, q: filter.q }, window);
  }
  const key = sortKey(order);
  const direction = order.descending ? 'desc' : 'asc';
  const after = window.after;
  return db
    .selectFrom('tasks as t')
    .where((eb) => {
      const conditions = filtered(eb, tenantId, filter);
      if (after !== undefined) {
        const values = key.map((part, index) => typed(after[index] ?? '', part.cast));
        conditions.push(
          sql<SqlBool>`(${sql.join(key.map((part) => part.sql))}, t.id) ${sql.raw(order.descending ? '<' : '>')} (${sql.join(values)}, ${typed(after[key.length] ?? '', 'uuid')})`,
        );
      }
      return eb.and(conditions);
    })
    .select((eb) => [
      ...taskColumns(eb),
      sql<string[]>`array[${sql.join(key.map((part) => sql`(${part.sql})::text`))}]`.as('sort_values'),
    ])
    .$call((query) => key.reduce((ordered, part) => ordered.orderBy(part.sql, direction), query))
    .orderBy('t.id', direction)
    .limit(window.first + 1);
}

/**
 * Relevance cursors: the window's boundary (the oldest ranked match, `''` when every match
 * was ranked), then the row's bucket (`1` ranked, `0` after the window), its rank and its
 * creation time.
 */
const RELEVANCE_CURSOR_VALUES = 5;

/**
 * A page of a search, best match first: the `RANKED_SEARCH_WINDOW` newest matches by
 * `ts_rank` (then newest first), then the older matches newest first. The first page finds
 * the window (an index walk down `created_at` while few enough rows match, else the GIN
 * index) and its boundary goes into the cursor, so later pages rank the same window: rows
 * created meanwhile join it like any insert into a keyset list, and no row moves between
 * the two parts while a client pages.
 */
function relevancePageQuery(
  db: Kysely<Database>,
  tenantId: string,
  filter: TaskFilter & { q: string },
  window: { first: number; after?: string[] },
) {
  // A first page is read from the window alone, so it must hold more than a page.
  if (window.first >= RANKED_SEARCH_WINDOW) throw new Error('A search page as large as its ranked window');
  const limit = window.first + 1;
  const ranked = (boundaryAt: Expression<unknown>, boundaryId: Expression<unknown>) =>
    sql<string[]>`array[${boundaryAt}, ${boundaryId}, '1', ${rank(filter.q)}::text, t.created_at::text]`.as(
      'sort_values',
    );

  if (window.after === undefined) {
    return db
      .with(
        (cte) => cte('candidates').materialized(),
        (query) =>
          query
            .selectFrom('tasks as t')
            .where((eb) => eb.and(filtered(eb, tenantId, filter)))
            .select(['t.id', 't.created_at'])
            .orderBy('t.created_at', 'desc')
            .orderBy('t.id', 'desc')
            .limit(RANKED_SEARCH_WINDOW),
      )
      .with('boundary', (query) =>
        // The oldest ranked match, when the window is full: later pages rank the same window.
        query
          .selectFrom('candidates as c')
          .where((eb) => eb(eb.selectFrom('candidates').select(eb.fn.countAll().as('n')), '=', RANKED_SEARCH_WINDOW))
          .select([sql<string>`c.created_at::text`.as('at'), sql<string>`c.id::text`.as('id')])
          .orderBy('c.created_at')
          .orderBy('c.id')
          .limit(1),
      )
      .selectFrom('candidates as c')
      .innerJoin('tasks as t', (join) => join.on('t.tenant_id', '=', tenantId).onRef('t.id', '=', 'c.id'))
      .select((eb) => [
        ...taskColumns(eb),
        ranked(sql`coalesce((select at from boundary), '')`, sql`coalesce((select id from boundary), '')`),
      ])
      .orderBy(rank(filter.q), 'desc')
      .orderBy('t.created_at', 'desc')
      .orderBy('t.id', 'desc')
      .limit(limit);
  }

  const [boundaryAt = '', boundaryId = '', bucket, score = '', createdAt = '', id = ''] = window.after;
  const bounded = boundaryAt !== '';
  const passBoundary = [typed(boundaryAt, 'text'), typed(boundaryId, 'text')] as const;
  const branches = [];
  if (bucket === '1') {
    branches.push(
      db
        .selectFrom('tasks as t')
        .where((eb) => {
          const conditions = filtered(eb, tenantId, filter);
          if (bounded) {
            conditions.push(
              sql<SqlBool>`(t.created_at, t.id) >= (${typed(boundaryAt, 'timestamptz')}, ${typed(boundaryId, 'uuid')})`,
            );
          }
          conditions.push(
            sql<SqlBool>`(${rank(filter.q)}, t.created_at, t.id) < (${typed(score, 'real')}, ${typed(createdAt, 'timestamptz')}, ${typed(id, 'uuid')})`,
          );
          return eb.and(conditions);
        })
        .select((eb) => [
          ...taskColumns(eb),
          ranked(...passBoundary),
          sql<number>`1`.as('bucket'),
          rank(filter.q).as('score'),
        ])
        .orderBy(rank(filter.q), 'desc')
        .orderBy('t.created_at', 'desc')
        .orderBy('t.id', 'desc')
        .limit(limit),
    );
  }
  if (bounded) {
    // Past the window: the older matches, newest first, from the cursor's row or the boundary.
    const [fromAt, fromId] = bucket === '1' ? [boundaryAt, boundaryId] : [createdAt, id];
    branches.push(
      db
        .selectFrom('tasks as t')
        .where((eb) =>
          eb.and([
            ...filtered(eb, tenantId, filter),
            sql<SqlBool>`(t.created_at, t.id) < (${typed(fromAt, 'timestamptz')}, ${typed(fromId, 'uuid')})`,
          ]),
        )
        .select((eb) => [
          ...taskColumns(eb),
          sql<string[]>`array[${passBoundary[0]}, ${passBoundary[1]}, '0', '0', t.created_at::text]`.as('sort_values'),
          sql<number>`0`.as('bucket'),
          sql<number>`0::real`.as('score'),
        ])
        .orderBy('t.created_at', 'desc')
        .orderBy('t.id', 'desc')
        .limit(limit),
    );
  }
  // Each part keeps its own order and limit: a subquery of its own inside the union.
  const [first, second] = branches.map((branch, index) => db.selectFrom(branch.as(`part_${index}`)).selectAll());
  // Only a cursor we did not issue is past the window of a search that had none.
  if (!first) throw new Error('A signed task cursor did not parse');
  const page = second ? first.unionAll(second) : first;
  return db
    .selectFrom(page.as('page'))
    .selectAll()
    .orderBy('bucket', 'desc')
    .orderBy('score', 'desc')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit);
}

/** One page of a task list: what `taskPageQuery` builds its statement from. */
export interface TaskPage {
  tenantId: string;
  filter: TaskFilter;
  order: TaskOrder;
  window: { first: number; after?: string[] };
}

/** A row of a task page. */
export type TaskPageRow = Awaited<ReturnType<ReturnType<typeof taskPageQuery>['execute']>>[number];

/**
 * The shape of a page (see `StatementShapes`): its ids, keys, dates, search text and cursor
 * values bound; which filters it has, its order and page size, and the categories and
 * priorities (a few fixed values each) kept.
 */
function shapeOfTaskPage(page: TaskPage, bind: (value: string) => string): TaskPage {
  const { filter, window } = page;
  const bindSome = (value: string | null | undefined) => (typeof value === 'string' ? bind(value) : value);
  return {
    tenantId: bind(page.tenantId),
    filter: {
      ...filter,
      projectId: bindSome(filter.projectId) ?? undefined,
      statuses: filter.statuses?.map(bind),
      assigneeId: bindSome(filter.assigneeId),
      labelIds: filter.labelIds?.map(bind),
      parentId: bindSome(filter.parentId),
      dueBefore: bindSome(filter.dueBefore) ?? undefined,
      dueAfter: bindSome(filter.dueAfter) ?? undefined,
      q: bindSome(filter.q) ?? undefined,
    },
    order: page.order,
    window: { first: window.first, after: window.after?.map(bind) },
  };
}

const TASK_PAGES = new StatementShapes<TaskPage, TaskPageRow>(shapeOfTaskPage, (db, page) =>
  taskPageQuery(db, page.tenantId, page.filter, page.order, page.window),
);

/**
 * `taskPageQuery`, compiled, built once per shape of page (`StatementShapes`): building the
 * list statement was the largest share of Kysely's CPU in a list request. A search's later
 * pages branch on their cursor's values, so each is built as it comes.
 */
export function compiledTaskPage(page: TaskPage) {
  if (page.order.field === 'relevance' && page.window.after !== undefined) {
    return taskPageQuery(sqlCompiler(), page.tenantId, page.filter, page.order, page.window).compile();
  }
  return TASK_PAGES.compile(page);
}
