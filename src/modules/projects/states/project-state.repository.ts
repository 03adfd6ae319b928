import { v7 as uuidv7 } from 'uuid';
import { isForeignKeyViolation, TransientConflict } from '../../../database/transactions.js';
import { precompiled, SqlRepository } from '../../../database/typed-sql.js';
import type { ProjectState } from './entities/project-state.entity.js';
import type { StateCategory } from './workflow.js';

/** A state as the API shows it. */
export interface StateRow {
  id: string;
  key: string;
  name: string;
  category: StateCategory;
  color: string | null;
  position: string;
  isDefault: boolean;
  createdAt: Date;
}

/** A new state's row. */
export type NewState = Omit<StateRow, 'id' | 'createdAt'>;

/** What a task needs of its state: the key it stores and the category that goes with it. */
export interface TaskState {
  key: string;
  category: StateCategory;
}

/** The foreign key that pins a task to a state of its project (and that state's category). */
export const TASK_STATE_CONSTRAINT = 'tasks_tenant_state_foreign';

/** A project's default state, where a new task starts (every create without a status reads it). */
const DEFAULT_STATE = precompiled(2, (db, tenantId = '', projectId = '') =>
  db
    .selectFrom('project_states')
    .where('tenant_id', '=', tenantId)
    .where('project_id', '=', projectId)
    .where('is_default', '=', true)
    .select(['key', 'category']),
);

/** A project's state by key. */
const STATE_BY_KEY = precompiled(3, (db, tenantId = '', projectId = '', key = '') =>
  db
    .selectFrom('project_states')
    .where('tenant_id', '=', tenantId)
    .where('project_id', '=', projectId)
    .where('key', '=', key)
    .select(['key', 'category']),
);

/** The statements of a project's workflow states. Every statement names the tenant. */
export class ProjectStateRepository extends SqlRepository<ProjectState> {
  /** The project's states in board order. */
  async listOf(tenantId: string, projectId: string): Promise<StateRow[]> {
    const rows = await this.sql()
      .selectFrom('project_states')
      .where('tenant_id', '=', tenantId)
      .where('project_id', '=', projectId)
      .select(['id', 'key', 'name', 'category', 'color', 'position', 'is_default as isDefault', 'created_at'])
      .orderBy('position')
      .execute();
    return rows.map(({ created_at, ...row }) => ({ ...row, createdAt: new Date(created_at) }));
  }

  /**
   * The state of the project with this key (or its default state, for `undefined`), null
   * when there is none. Read without a lock: a state deleted before the task that names it
   * is written fails that write on the tasks' state foreign key. (A status change holds its
   * state instead: `TaskRepository.lockForStatusChange`.)
   */
  async findTaskState(tenantId: string, projectId: string, key: string | undefined): Promise<TaskState | null> {
    const [row] = (
      key === undefined
        ? await DEFAULT_STATE(this.sql(), tenantId, projectId)
        : await STATE_BY_KEY(this.sql(), tenantId, projectId, key)
    ).rows;
    return row ?? null;
  }

  /**
   * The state of key `key` of each of the projects (those that have one), held `FOR KEY
   * SHARE` as `findTaskState` holds it, in one statement: tasks of these projects are about
   * to enter it.
   */
  async holdTaskStates(
    tenantId: string,
    projectIds: readonly string[],
    key: string,
  ): Promise<(TaskState & { projectId: string })[]> {
    if (projectIds.length === 0) return [];
    return this.sql()
      .selectFrom('project_states')
      .where('tenant_id', '=', tenantId)
      .where('project_id', 'in', projectIds)
      .where('key', '=', key)
      .orderBy('id')
      .select(['project_id as projectId', 'key', 'category'])
      .forKeyShare()
      .execute();
  }

  /** Adds states to a project (at version 1 of their board). */
  async insertStates(tenantId: string, projectId: string, states: readonly NewState[]): Promise<string[]> {
    if (states.length === 0) return [];
    const now = new Date();
    const rows = await this.sql()
      .insertInto('project_states')
      .values(
        states.map((state) => ({
          id: uuidv7(),
          tenant_id: tenantId,
          project_id: projectId,
          key: state.key,
          name: state.name,
          category: state.category,
          color: state.color,
          position: state.position,
          is_default: state.isDefault,
          created_at: now,
        })),
      )
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  /** Writes the given fields of a state. */
  async update(
    tenantId: string,
    stateId: string,
    changes: Partial<Pick<StateRow, 'name' | 'color' | 'position'>>,
  ): Promise<void> {
    if (Object.keys(changes).length === 0) return;
    await this.sql()
      .updateTable('project_states')
      .set({
        ...(changes.name !== undefined && { name: changes.name }),
        ...(changes.color !== undefined && { color: changes.color }),
        ...(changes.position !== undefined && { position: changes.position }),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', stateId)
      .execute();
  }

  /**
   * Makes a state the project's default: the old default first lets go (one default per
   * project is a unique index, checked row by row), then the new one takes it.
   */
  async makeDefault(tenantId: string, projectId: string, stateId: string): Promise<void> {
    await this.sql()
      .updateTable('project_states')
      .set({ is_default: false })
      .where('tenant_id', '=', tenantId)
      .where('project_id', '=', projectId)
      .where('is_default', '=', true)
      .execute();
    await this.sql()
      .updateTable('project_states')
      .set({ is_default: true })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', stateId)
      .execute();
  }

  /** How many tasks are in the state. */
  async countTasks(tenantId: string, projectId: string, key: string): Promise<number> {
    const row = await this.sql()
      .selectFrom('tasks')
      .where('tenant_id', '=', tenantId)
      .where('project_id', '=', projectId)
      .where('status', '=', key)
      .select((eb) => eb.cast<number>(eb.fn.countAll(), 'integer').as('count'))
      .executeTakeFirst();
    return row?.count ?? 0;
  }

  /**
   * Deletes a state that has no task. A task that entered it since it was emptied (its
   * change committed meanwhile) makes the delete fail on the tasks' foreign key: the
   * transaction reruns and finds that task.
   */
  async delete(tenantId: string, stateId: string): Promise<void> {
    try {
      await this.sql()
        .deleteFrom('project_states')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', stateId)
        .execute();
    } catch (error) {
      if (isForeignKeyViolation(error, TASK_STATE_CONSTRAINT)) throw new TransientConflict('A task entered the state');
      throw error;
    }
  }
}
