import { generateNKeysBetween } from 'fractional-indexing';
import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type QueryCreator,
  type RawBuilder,
  type SqlBool,
  type Updateable,
} from 'kysely';
import { parseKeysetPosition } from '../../common/pagination/keyset-position.js';
import type { FetchedWindow, PageWindow } from '../../common/pagination/pagination.service.js';
import type { Database } from '../../database/database-schema.js';
import { boardColumnLock } from '../../database/advisory-locks.js';
import { isForeignKeyViolation, isUniqueViolation, TransientConflict } from '../../database/transactions.js';
import { precompiled, SqlRepository, StatementShapes } from '../../database/typed-sql.js';
import type { TaskDto } from './dto/task.dto.js';
import type { Task } from './entities/task.entity.js';
import { TASK_STATE_CONSTRAINT, type TaskState } from '../projects/states/project-state.repository.js';
import type { StateCategory } from '../projects/states/workflow.js';
import type { TaskPriority } from './task-fields.js';
import { compiledTaskPage, keysetLength, taskColumns, type TaskFilter, type TaskOrder } from './task-list.query.js';
import type { TaskRef } from './task-ref.js';

export type { TaskFilter, TaskOrder } from './task-list.query.js';

/** The unique constraint on board positions (tenant, project, status, position). */
const POSITION_CONSTRAINT = 'tasks_tenant_id_project_id_status_position_unique';

/** The fields of a task a client edits, in the form the activity log records them. */
export interface EditableTaskFields {
  title: string;
  description: string | null;
  /** A state key of the task's project. */
  status: string;
  priority: TaskPriority;
  assigneeId: string | null;
  dueDate: string | null;
  parentId: string | null;
  position: string;
}

/** What one update writes: the changed fields only. */
export type TaskChanges = Partial<EditableTaskFields> & {
  statusCategory?: StateCategory;
  /** A time, or its ISO text (as a statement's shape binds it). */
  completedAt?: Date | string | null;
};

/** A new task's row, as a create writes it. */
export interface NewTask extends EditableTaskFields {
  id: string;
  projectId: string;
  key: string;
  number: number;
  reporterId: string;
  statusCategory: StateCategory;
  completedAt: Date | null;
  createdAt: Date;
}

/** A task read under a row lock, to be changed in the same transaction. */
export interface LockedTask extends EditableTaskFields {
  id: string;
  projectId: string;
  key: string;
  reporterId: string | null;
  statusCategory: StateCategory;
  version: number;
}

/** A task locked for a status change, and the state it enters (null: its project has no such state). */
export interface LockedForStatusChange {
  task: LockedTask;
  into: TaskState | null;
}

/** A task's place in the tenant: what a change needs before it takes locks in order. */
export interface TaskLocation {
  id: string;
  projectId: string;
}

/** One status column of a project's board. */
export interface BoardColumn {
  projectId: string;
  status: string;
}

/** The board-column lock (`boardColumnLock`) of a task's project and the given status. */
const columnLock = (status: RawBuilder<unknown>) => boardColumnLock(sql`t.project_id`, status);

/** A task row as the list and read queries select it (`taskColumns`). */
interface TaskRow {
  id: string;
  key: string;
  project_id: string;
  title: string;
  description: string | null;
  status: string;
  status_category: StateCategory;
  priority: TaskPriority;
  assignee_id: string | null;
  reporter_id: string | null;
  due_date: string | null;
  parent_id: string | null;
  position: string;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
  label_ids: string[];
}

function toDto(row: TaskRow): TaskDto {
  return {
    id: row.id,
    key: row.key,
    projectId: row.project_id,
    title: row.title,
    description: row.description,
    status: row.status,
    statusCategory: row.status_category,
    priority: row.priority,
    assigneeId: row.assignee_id,
    reporterId: row.reporter_id,
    dueDate: row.due_date,
    labelIds: row.label_ids,
    parentId: row.parent_id,
    position: row.position,
    completedAt: row.completed_at === null ? null : new Date(row.completed_at),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    version: row.version,
  };
}

/** The columns an update of `changes` writes (only the fields it names). */
function changedColumns(changes: TaskChanges): Updateable<Database['tasks']> {
  return {
    ...(changes.title !== undefined && { title: changes.title }),
    ...(changes.description !== undefined && { description: changes.description }),
    ...(changes.status !== undefined && { status: changes.status }),
    ...(changes.statusCategory !== undefined && { status_category: changes.statusCategory }),
    ...(changes.priority !== undefined && { priority: changes.priority }),
    ...(changes.assigneeId !== undefined && { assignee_id: changes.assigneeId }),
    ...(changes.dueDate !== undefined && { due_date: changes.dueDate }),
    ...(changes.parentId !== undefined && { parent_id: changes.parentId }),
    ...(changes.position !== undefined && { position: changes.position }),
    ...(changes.completedAt !== undefined && { completed_at: changes.completedAt }),
  };
}

/** A task as `TaskDto` needs it, by id or by key: the hottest reads, compiled once. */
const TASK_BY_ID = precompiled(2, (db, tenantId = '', id = '') =>
  db.selectFrom('tasks as t').where('t.tenant_id', '=', tenantId).where('t.id', '=', id).select(taskColumns),
);
const TASK_BY_KEY = precompiled(2, (db, tenantId = '', key = '') =>
  db.selectFrom('tasks as t').where('t.tenant_id', '=', tenantId).where('t.key', '=', key).select(taskColumns),
);

/** The changed fields of `changes` with each value passed through `bind` (see `StatementShapes`). */
function shapeOfChanges(changes: TaskChanges, bind: (value: string) => string): TaskChanges {
  const some = (value: string | null | undefined) => (typeof value === 'string' ? bind(value) : value);
  const { completedAt } = changes;
  return {
    ...changes,
    title: some(changes.title) ?? undefined,
    description: some(changes.description),
    status: some(changes.status) ?? undefined,
    assigneeId: some(changes.assigneeId),
    dueDate: some(changes.dueDate),
    parentId: some(changes.parentId),
    position: some(changes.position) ?? undefined,
    completedAt: completedAt instanceof Date ? bind(completedAt.toISOString()) : some(completedAt),
  };
}

/** A locked task's update (`applyChanges`): its changed fields, then its version moved on. */
interface TaskUpdate {
  tenantId: string;
  taskId: string;
  changes: TaskChanges;
  /** ISO text. */
  now: string;
}

/** Updates compiled once per set of changed fields: a PATCH built its UPDATE at every request. */
const TASK_UPDATES = new StatementShapes<TaskUpdate, TaskRow>(
  (update, bind) => ({
    tenantId: bind(update.tenantId),
    taskId: bind(update.taskId),
    changes: shapeOfChanges(update.changes, bind),
    now: bind(update.now),
  }),
  (db, update) =>
    db
      .updateTable('tasks as t')
      .set((eb) => ({ ...changedColumns(update.changes), updated_at: update.now, version: eb('t.version', '+', 1) }))
      .where('t.tenant_id', '=', update.tenantId)
      .where('t.id', '=', update.taskId)
      .returning(taskColumns),
);

const boundRef = (ref: TaskRef, bind: (value: string) => string): TaskRef =>
  'id' in ref ? { id: bind(ref.id) } : { key: bind(ref.key) };

/** The columns of a `LockedTask`, not yet locked; with `intoColumn`, taking that column's lock (`columnLock`). */
function lockedTaskQuery(db: QueryCreator<Database>, tenantId: string, ref: TaskRef, intoColumn: string | undefined) {
  const [column, value] = 'id' in ref ? (['t.id', ref.id] as const) : (['t.key', ref.key] as const);
  return db
    .selectFrom('tasks as t')
    .where('t.tenant_id', '=', tenantId)
    .where(column, '=', value)
    .select([
      't.id',
      't.project_id as projectId',
      't.key',
      't.title',
      't.description',
      't.status',
      't.status_category as statusCategory',
      't.priority',
      't.assignee_id as assigneeId',
      sql<string | null>`t.due_date::text`.as('dueDate'),
      't.parent_id as parentId',
      't.position',
      't.reporter_id as reporterId',
      't.version',
    ])
    .$if(intoColumn !== undefined, (locking) => locking.select(columnLock(sql`${intoColumn}`)));
}

/** A task to lock for a move into the state `status` (`lockForStatusChange`). */
interface StatusChangeLock {
  tenantId: string;
  ref: TaskRef;
  status: string;
}

/**
 * The task locked for a status change, in one statement with what a status change needs
 * first and last (see `lockForStatusChange`); compiled once per kind of reference (id, key).
 */
const STATUS_CHANGE_LOCKS = new StatementShapes<StatusChangeLock, LockedTask & TaskStateColumns>(
  (lock, bind) => ({ tenantId: bind(lock.tenantId), ref: boundRef(lock.ref, bind), status: bind(lock.status) }),
  // Two CTEs, so the locks follow the lock order: the state's query reads the locked task,
  // so it cannot run before the task is locked (and it reads the task's project as locked).
  (db, { tenantId, ref, status }) =>
    db
      .with('locked', (db) => lockedTaskQuery(db, tenantId, ref, status).forNoKeyUpdate())
      .with('into', (db) =>
        db
          .selectFrom('project_states as s')
          .innerJoin('locked', 'locked.projectId', 's.project_id')
          .where('s.tenant_id', '=', tenantId)
          .where('s.key', '=', status)
          .select(['s.key', 's.category'])
          .forKeyShare('s'),
      )
      .selectFrom('locked')
      .leftJoin('into', (join) => join.onTrue())
      .selectAll('locked')
      .select(['into.key as intoKey', 'into.category as intoCategory']),
);

/** The state a status change enters, as `STATUS_CHANGE_LOCKS` reads it (null: no such state). */
interface TaskStateColumns {
  intoKey: string | null;
  intoCategory: StateCategory | null;
}

/** A neighbour of a board position (`neighbourPosition`). */
interface NeighbourQuery {
  tenantId: string;
  column: BoardColumn;
  side: 'after' | 'before';
  position: string | null;
  taskId: string | null;
}

/** The position reads of board moves, compiled once per side and bound. */
const NEIGHBOURS = new StatementShapes<NeighbourQuery, { position: string }>(
  (query, bind) => ({
    tenantId: bind(query.tenantId),
    column: { projectId: bind(query.column.projectId), status: bind(query.column.status) },
    side: query.side,
    position: query.position === null ? null : bind(query.position),
    taskId: query.taskId === null ? null : bind(query.taskId),
  }),
  (db, { tenantId, column, side, position, taskId }) =>
    db
      .selectFrom('tasks as t')
      .where('t.tenant_id', '=', tenantId)
      .where('t.project_id', '=', column.projectId)
      .where('t.status', '=', column.status)
      .$if(position !== null, (query) => query.where('t.position', side === 'after' ? '>' : '<', position ?? ''))
      .$if(taskId !== null, (query) => query.where('t.id', '<>', taskId ?? ''))
      .select('t.position')
      .orderBy('t.position', side === 'after' ? 'asc' : 'desc')
      .limit(1),
);

/**
 * The statements of the task aggregate, typed against the schema: reads straight into
 * `TaskDto`s (no entity hydration on the hot paths), writes of one task as single
 * statements, and the row locks of the app's lock order (see `Transactions`). Every
 * statement names the tenant.
 */
export class TaskRepository extends SqlRepository<Task> {
  private byRef(ref: TaskRef) {
    return 'id' in ref ? (['t.id', ref.id] as const) : (['t.key', ref.key] as const);
  }

  async findDto(tenantId: string, ref: TaskRef): Promise<TaskDto | null> {
    const { rows } =
      'id' in ref ? await TASK_BY_ID(this.sql(), tenantId, ref.id) : await TASK_BY_KEY(this.sql(), tenantId, ref.key);
    return rows[0] ? toDto(rows[0]) : null;
  }

  /** Where the tasks named by `refs` are (those that exist in the tenant), in one read. */
  async locateMany(tenantId: string, refs: readonly TaskRef[]): Promise<(TaskLocation & { key: string })[]> {
    const ids = refs.flatMap((ref) => ('id' in ref ? [ref.id] : []));
    const keys = refs.flatMap((ref) => ('key' in ref ? [ref.key] : []));
    return this.sql()
      .selectFrom('tasks')
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        eb.or([...(ids.length > 0 ? [eb('id', 'in', ids)] : []), ...(keys.length > 0 ? [eb('key', 'in', keys)] : [])]),
      )
      .select(['id', 'key', 'project_id as projectId'])
      .execute();
  }

  /** Tasks as DTOs by id, in id order (those of `ids` that exist). */
  async findDtos(tenantId: string, ids: readonly string[]): Promise<TaskDto[]> {
    if (ids.length === 0) return [];
    return (await this.dtosOf(tenantId, ids).execute()).map(toDto);
  }

  private dtosOf(tenantId: string, ids: readonly string[]) {
    return this.sql()
      .selectFrom('tasks as t')
      .where('t.tenant_id', '=', tenantId)
      .where('t.id', 'in', ids)
      .orderBy('t.id')
      .select(taskColumns);
  }

  /** One keyset page of a filtered, sorted task list (`window.after` as issued in `endCursor`). */
  async findPage(
    tenantId: string,
    filter: TaskFilter,
    order: TaskOrder,
    window: PageWindow,
  ): Promise<FetchedWindow<TaskDto>> {
    const after = window.after === undefined ? undefined : parseKeysetPosition(window.after, keysetLength(order));
    // Only reachable with a leaked signing key: the cursor was signed by us.
    if (after === null) throw new Error('A signed task cursor did not parse');
    const page = compiledTaskPage({ tenantId, filter, order, window: { first: window.first, after } });
    const { rows } = await this.sql().executeQuery(page);
    const items = rows.slice(0, window.first);
    const last = items.at(-1);
    return {
      items: items.map(toDto),
      hasNextPage: rows.length > window.first,
      endCursor: last ? JSON.stringify([...last.sort_values, last.id]) : null,
    };
  }

  /** Where a task is, without a lock: the project a change must lock before the task. */
  async locate(tenantId: string, ref: TaskRef): Promise<TaskLocation | null> {
    const [column, value] = this.byRef(ref);
    const row = await this.sql()
      .selectFrom('tasks as t')
      .where('t.tenant_id', '=', tenantId)
      .where(column, '=', value)
      .select(['t.id', 't.project_id as projectId'])
      .executeTakeFirst();
    return row ?? null;
  }

  /**
   * Takes the board-column lock of the task's current column (see `columnLock`) for an
   * explicit move within it; where the task was when the lock was taken, or null when there
   * is no such task.
   */
  async lockColumnFor(tenantId: string, ref: TaskRef): Promise<(TaskLocation & { status: string }) | null> {
    const [column, value] = this.byRef(ref);
    const row = await this.sql()
      .selectFrom('tasks as t')
      .where('t.tenant_id', '=', tenantId)
      .where(column, '=', value)
      .select(['t.id', 't.project_id as projectId', 't.status', columnLock(sql`t.status`)])
      .executeTakeFirst();
    return row ? { id: row.id, projectId: row.projectId, status: row.status } : null;
  }

  /**
   * The task, locked until the transaction ends (concurrent changes to it queue up): a
   * plain row rather than an entity, for updates written as native statements. A change
   * takes `FOR NO KEY UPDATE`, which leaves foreign-key checks of rows that reference the
   * task (a new sub-task, comment or label link) unblocked; a delete takes `FOR UPDATE`.
   */
  async lockForChange(tenantId: string, ref: TaskRef, purpose: 'change' | 'delete'): Promise<LockedTask | null> {
    const query = lockedTaskQuery(this.sql(), tenantId, ref, undefined);
    const row = await (purpose === 'delete' ? query.forUpdate() : query.forNoKeyUpdate()).executeTakeFirst();
    return row ?? null;
  }

  /**
   * The task locked for a change that names a status (`lockForChange`), in one statement with
   * what a status change needs first and last: before the task, the lock of the column
   * `status` (`columnLock`: the task is about to get a position there); after it, the state
   * `status` of the task's project, held `FOR KEY SHARE` until the transaction ends so it
   * cannot be deleted before the task is in it (the lock order's step 6).
   */
  async lockForStatusChange(tenantId: string, ref: TaskRef, status: string): Promise<LockedForStatusChange | null> {
    const [row] = (await this.sql().executeQuery(STATUS_CHANGE_LOCKS.compile({ tenantId, ref, status }))).rows;
    if (!row) return null;
    const { intoKey, intoCategory, ...task } = row;
    return { task, into: intoKey !== null && intoCategory !== null ? { key: intoKey, category: intoCategory } : null };
  }

  /**
   * The tasks of `ids` (those that exist in the tenant) as their DTOs, each locked `FOR NO
   * KEY UPDATE` in id order in one statement (two bulk changes over the same tasks queue up
   * and never deadlock), for a change of all of them in the same transaction.
   */
  async lockAllForChange(tenantId: string, ids: readonly string[]): Promise<TaskDto[]> {
    if (ids.length === 0) return [];
    return (await this.dtosOf(tenantId, ids).forNoKeyUpdate().execute()).map(toDto);
  }

  /**
   * Takes the board-column lock (`columnLock`) of the `status` column of each project, in
   * project id order, in one statement: tasks of these projects are about to enter it.
   */
  async lockColumns(tenantId: string, projectIds: readonly string[], status: string): Promise<void> {
    if (projectIds.length === 0) return;
    // A volatile function of the select list runs in the order of ORDER BY (after the sort).
    await this.sql()
      .selectFrom('projects as p')
      .where('p.tenant_id', '=', tenantId)
      .where('p.id', 'in', projectIds)
      .orderBy('p.id')
      .select(['p.id', boardColumnLock(sql`p.id`, sql`${status}`)])
      .execute();
  }

  /** The position of the last task of the `status` column of each project (null: an empty column). */
  async lastPositions(
    tenantId: string,
    projectIds: readonly string[],
    status: string,
  ): Promise<Map<string, string | null>> {
    if (projectIds.length === 0) return new Map();
    const rows = await this.sql()
      .selectFrom('projects as p')
      .where('p.tenant_id', '=', tenantId)
      .where('p.id', 'in', projectIds)
      .select((eb) => [
        'p.id',
        eb
          .selectFrom('tasks as t')
          .where('t.tenant_id', '=', tenantId)
          .whereRef('t.project_id', '=', 'p.id')
          .where('t.status', '=', status)
          .orderBy('t.position', 'desc')
          .limit(1)
          .select('t.position')
          .as('last'),
      ])
      .execute();
    return new Map(rows.map((row) => [row.id, row.last]));
  }

  /**
   * Where the task `taskId` of the tenant is, the row held `FOR KEY SHARE` until the
   * transaction ends: a row about to reference it (a sub-task, a comment) cannot lose it to
   * a concurrent delete, which waits, or which came first and leaves nothing to find.
   */
  async hold(tenantId: string, taskId: string): Promise<TaskLocation | null> {
    const row = await this.sql()
      .selectFrom('tasks as t')
      .where('t.tenant_id', '=', tenantId)
      .where('t.id', '=', taskId)
      .select(['t.id', 't.project_id as projectId'])
      .forKeyShare()
      .executeTakeFirst();
    return row ?? null;
  }

  /**
   * Inserts a new task (at version 1); returns it as its DTO, as a read would give it, with
   * the labels it is about to be given (`labelIds`: their links need the row first).
   */
  async insertNew(tenantId: string, task: NewTask, labelIds: readonly string[] = []): Promise<TaskDto> {
    await this.writeAtPosition(
      this.sql()
        .insertInto('tasks')
        .values({
          id: task.id,
          tenant_id: tenantId,
          project_id: task.projectId,
          key: task.key,
          number: task.number,
          title: task.title,
          description: task.description,
          status: task.status,
          status_category: task.statusCategory,
          priority: task.priority,
          assignee_id: task.assigneeId,
          reporter_id: task.reporterId,
          due_date: task.dueDate,
          parent_id: task.parentId,
          position: task.position,
          completed_at: task.completedAt,
          created_at: task.createdAt,
          updated_at: task.createdAt,
          version: 1,
        })
        .execute(),
    );
    // As a read would answer it, field for field and in the same order.
    return {
      id: task.id,
      key: task.key,
      projectId: task.projectId,
      title: task.title,
      description: task.description,
      status: task.status,
      statusCategory: task.statusCategory,
      priority: task.priority,
      assigneeId: task.assigneeId,
      reporterId: task.reporterId,
      dueDate: task.dueDate,
      // In the order a read lists them: UUIDs compare as their lower-case text.
      labelIds: labelIds.map((id) => id.toLowerCase()).sort(),
      parentId: task.parentId,
      position: task.position,
      completedAt: task.completedAt,
      createdAt: task.createdAt,
      updatedAt: task.createdAt,
      version: 1,
    };
  }

  /**
   * Writes a locked task's changed fields and moves its version (the ETag) on; returns the
   * task as it is now (one statement: no read after the write).
   */
  async applyChanges(tenantId: string, taskId: string, changes: TaskChanges, now: Date): Promise<TaskDto> {
    const update = TASK_UPDATES.compile({ tenantId, taskId, changes, now: now.toISOString() });
    const [row] = (await this.writeAtPosition(this.sql().executeQuery(update))).rows;
    if (!row) throw new Error('A locked task was not there to update');
    return toDto(row);
  }

  /**
   * Writes one change to many locked tasks in one statement: the fields of `common` on each,
   * and, for those `entering` a state (key, category and position), that state; their
   * `completedAt` follows its category. Each moves its version on; the tasks as they are
   * now (those of `rows`), in no particular order.
   */
  async applyToMany(
    tenantId: string,
    common: TaskChanges,
    rows: readonly { id: string; entering?: TaskState & { position: string } }[],
    now: Date,
  ): Promise<TaskDto[]> {
    if (rows.length === 0) return [];
    const values = JSON.stringify(
      rows.map(({ id, entering }) => ({
        id,
        status: entering?.key ?? null,
        status_category: entering?.category ?? null,
        position: entering?.position ?? null,
      })),
    );
    const moving = rows.some((row) => row.entering !== undefined);
    const updated = await this.writeAtPosition(
      this.sql()
        .updateTable('tasks as t')
        .from(
          sql<{
            id: string;
            status: string | null;
            status_category: StateCategory | null;
            position: string | null;
          }>`jsonb_to_recordset(${values}::jsonb)`.as<'v'>(
            sql`v(id uuid, status text, status_category state_category, position text)`,
          ),
        )
        .set((eb) => ({
          ...changedColumns(common),
          // A row without a state stays where it is.
          ...(moving && {
            status: eb.fn.coalesce('v.status', 't.status'),
            status_category: eb.fn.coalesce('v.status_category', 't.status_category'),
            position: eb.fn.coalesce('v.position', 't.position'),
            completed_at: eb
              .case()
              .when('v.status_category', 'is', null)
              .then(eb.ref('t.completed_at'))
              .when('v.status_category', '=', 'completed')
              .then(eb.fn.coalesce('t.completed_at', eb.val(now)))
              .else(null)
              .end(),
          }),
          updated_at: now,
          version: eb('t.version', '+', 1),
        }))
        .where('t.tenant_id', '=', tenantId)
        .whereRef('t.id', '=', 'v.id')
        .returning(taskColumns)
        .execute(),
    );
    return updated.map(toDto);
  }

  /**
   * Clears the parent of a task's sub-tasks (locked in id order), moving their versions on:
   * the sub-tasks changed.
   */
  detachChildren(tenantId: string, parentId: string, now: Date): Promise<TaskLocation[]> {
    return this.changeMany(tenantId, (eb) => eb('m.parent_id', '=', parentId), { parent_id: null }, now);
  }

  /** Unassigns every task of `userId` in the tenant (locked in id order), in one statement. */
  unassignAll(tenantId: string, userId: string, now: Date): Promise<TaskLocation[]> {
    return this.changeMany(tenantId, (eb) => eb('m.assignee_id', '=', userId), { assignee_id: null }, now);
  }

  /**
   * Moves the version of every task carrying the label on (locked in id order), before the
   * label goes: each of them changes.
   */
  touchLabelled(tenantId: string, labelId: string, now: Date): Promise<TaskLocation[]> {
    return this.changeMany(
      tenantId,
      (eb) =>
        eb.exists(
          eb
            .selectFrom('task_labels as tl')
            .whereRef('tl.tenant_id', '=', 'm.tenant_id')
            .whereRef('tl.task_id', '=', 'm.id')
            .where('tl.label_id', '=', labelId)
            .select('tl.label_id'),
        ),
      {},
      now,
    );
  }

  /**
   * One change of many tasks in one statement: those `which` picks (as `m`), locked in id
   * order so two such changes never deadlock, get `columns` and a version step each.
   */
  private changeMany(
    tenantId: string,
    which: (eb: ExpressionBuilder<Database & { m: Database['tasks'] }, 'm'>) => Expression<SqlBool>,
    columns: Updateable<Database['tasks']>,
    now: Date,
  ): Promise<TaskLocation[]> {
    return this.sql()
      .updateTable('tasks')
      .set((eb) => ({ ...columns, updated_at: now, version: eb('version', '+', 1) }))
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('tasks as m')
          .where('m.tenant_id', '=', tenantId)
          .where(which)
          .select('m.id')
          .orderBy('m.id')
          .forNoKeyUpdate('m'),
      )
      .returning(['id', 'project_id as projectId'])
      .execute();
  }

  /**
   * Moves every task of a column into another state of the project, at the bottom of its
   * column in their order, in one statement; each gets the state's category, a `completedAt`
   * that follows it and a new version. The tasks are locked in id order first; the caller
   * holds the target column's lock. The moved tasks, in their board order.
   */
  async moveColumn(tenantId: string, from: BoardColumn, to: TaskState, now: Date): Promise<TaskLocation[]> {
    const db = this.sql();
    const inColumn = db
      .selectFrom('tasks as t')
      .where('t.tenant_id', '=', tenantId)
      .where('t.project_id', '=', from.projectId)
      .where('t.status', '=', from.status)
      .select(['t.id', 't.project_id as projectId']);
    await inColumn.orderBy('t.id').forNoKeyUpdate().execute();
    const ordered = await inColumn.orderBy('t.position').orderBy('t.id').execute();
    if (ordered.length === 0) return [];
    const last = await this.neighbourPosition(
      tenantId,
      { projectId: from.projectId, status: to.key },
      'before',
      null,
      null,
    );
    const keys = generateNKeysBetween(last, null, ordered.length);
    const assigned = JSON.stringify(ordered.map((row, index) => ({ id: row.id, position: keys[index] })));
    await this.writeAtPosition(
      db
        .updateTable('tasks as t')
        .from(
          sql<{ id: string; position: string }>`jsonb_to_recordset(${assigned}::jsonb)`.as<'v'>(
            sql`v(id uuid, position text)`,
          ),
        )
        .set((eb) => ({
          status: to.key,
          status_category: to.category,
          position: eb.ref('v.position'),
          completed_at: to.category === 'completed' ? eb.fn.coalesce('t.completed_at', eb.val(now)) : null,
          updated_at: now,
          version: eb('t.version', '+', 1),
        }))
        .where('t.tenant_id', '=', tenantId)
        .where('t.status', '=', from.status)
        .whereRef('t.id', '=', 'v.id')
        .execute(),
    );
    return ordered;
  }

  /** The ids of a task's labels. */
  async labelIdsOf(tenantId: string, taskId: string): Promise<string[]> {
    const rows = await this.sql()
      .selectFrom('task_labels')
      .where('tenant_id', '=', tenantId)
      .where('task_id', '=', taskId)
      .select('label_id')
      .execute();
    return rows.map((row) => row.label_id);
  }

  /**
   * The position of the first (`after` null) or last (`before` null) task of a column, or
   * of the nearest task on the given side of `position`, excluding `taskId`.
   */
  async neighbourPosition(
    tenantId: string,
    column: BoardColumn,
    side: 'after' | 'before',
    position: string | null,
    taskId: string | null,
  ): Promise<string | null> {
    const [row] = (await this.sql().executeQuery(NEIGHBOURS.compile({ tenantId, column, side, position, taskId })))
      .rows;
    return row?.position ?? null;
  }

  /**
   * Gives every task of a column a fresh, short position key in its current order, in one
   * statement (the position constraint is checked at its end). The column's tasks are
   * locked in id order first.
   */
  async rebalanceColumn(tenantId: string, column: BoardColumn): Promise<void> {
    const db = this.sql();
    const inColumn = db
      .selectFrom('tasks as t')
      .where('t.tenant_id', '=', tenantId)
      .where('t.project_id', '=', column.projectId)
      .where('t.status', '=', column.status)
      .select('t.id');
    await inColumn.orderBy('t.id').forNoKeyUpdate().execute();
    const ordered = await inColumn.orderBy('t.position').orderBy('t.id').execute();
    const keys = generateNKeysBetween(null, null, ordered.length);
    const assigned = JSON.stringify(ordered.map((row, index) => ({ id: row.id, position: keys[index] })));
    await db
      .updateTable('tasks as t')
      .from(
        sql<{ id: string; position: string }>`jsonb_to_recordset(${assigned}::jsonb)`.as<'v'>(
          sql`v(id uuid, position text)`,
        ),
      )
      .set((eb) => ({ position: eb.ref('v.position') }))
      .where('t.tenant_id', '=', tenantId)
      .whereRef('t.id', '=', 'v.id')
      .execute();
  }

  /** A task and its ancestors, up to the root of its tree: the ids of its lineage. */
  async lineage(tenantId: string, taskId: string): Promise<string[]> {
    const rows = await this.sql()
      .withRecursive('chain(id, parent_id)', (db) =>
        db
          .selectFrom('tasks as t')
          .where('t.tenant_id', '=', tenantId)
          .where('t.id', '=', taskId)
          .select(['t.id', 't.parent_id'])
          .union((union) =>
            union
              .selectFrom('tasks as t')
              .innerJoin('chain', 'chain.parent_id', 't.id')
              .where('t.tenant_id', '=', tenantId)
              .select(['t.id', 't.parent_id']),
          ),
      )
      .selectFrom('chain')
      .select('chain.id')
      .execute();
    return rows.map((row) => row.id);
  }

  /**
   * Whether `userId` may be assigned tasks in the tenant (member or above). The row is
   * read `FOR SHARE`: a concurrent demotion or removal waits for this transaction.
   */
  async isAssignable(tenantId: string, userId: string): Promise<boolean> {
    const row = await this.sql()
      .selectFrom('memberships')
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where('role', '<>', 'viewer')
      .select('role')
      .forShare()
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * How many of `labelIds` exist in the tenant, each held `FOR KEY SHARE` until the
   * transaction ends: a label about to be linked cannot be deleted under the link.
   */
  async holdLabels(tenantId: string, labelIds: readonly string[]): Promise<number> {
    if (labelIds.length === 0) return 0;
    const rows = await this.sql()
      .selectFrom('labels')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', labelIds)
      .select('id')
      .orderBy('id')
      .forKeyShare()
      .execute();
    return rows.length;
  }

  /**
   * A write that may give a task a board position (and a state): when another transaction
   * took that position first, the change reruns (it will see the other task and pick another
   * key); so it does when the state went meanwhile (it will find it gone).
   */
  private async writeAtPosition<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } catch (error) {
      if (isUniqueViolation(error, POSITION_CONSTRAINT)) throw new TransientConflict('A board position was taken');
      if (isForeignKeyViolation(error, TASK_STATE_CONSTRAINT)) throw new TransientConflict('The state went meanwhile');
      throw error;
    }
  }
}
