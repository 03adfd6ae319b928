import { sql } from 'kysely';
import { boardColumnLock } from '../../database/advisory-locks.js';
import { precompiled, SqlRepository } from '../../database/typed-sql.js';
import type { Project } from './entities/project.entity.js';

/** Whether a project exists: every task create asks first. */
const PROJECT_EXISTS = precompiled(2, (db, tenantId = '', projectId = '') =>
  db
    .selectFrom('projects')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', projectId)
    .select((eb) => eb.lit(1).as('found')),
);

/** The next task number of a project, taken with its row and board-column locks (`takeTaskNumber`). */
const TAKE_TASK_NUMBER = precompiled(3, (db, tenantId = '', projectId = '', column = '') =>
  db
    .updateTable('projects')
    .set((eb) => ({
      last_task_number: eb('last_task_number', '+', eb.case().when('archived', '=', true).then(0).else(1).end()),
    }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', projectId)
    .returning(['last_task_number as number', 'key', 'archived', boardColumnLock(sql`id`, sql`${column}`)]),
);

export class ProjectRepository extends SqlRepository<Project> {
  /** The number of tasks in each state of a project (0 for an empty one), in board order. */
  countTasksByState(tenantId: string, projectId: string): Promise<{ key: string; count: number }[]> {
    return this.sql()
      .selectFrom('project_states as s')
      .leftJoin('tasks as t', (join) =>
        join
          .onRef('t.tenant_id', '=', 's.tenant_id')
          .onRef('t.project_id', '=', 's.project_id')
          .onRef('t.status', '=', 's.key'),
      )
      .where('s.tenant_id', '=', tenantId)
      .where('s.project_id', '=', projectId)
      .groupBy(['s.key', 's.position'])
      .orderBy('s.position')
      .select((eb) => ['s.key', eb.cast<number>(eb.fn.count('t.id'), 'integer').as('count')])
      .execute();
  }

  /** Whether the project exists in the tenant (one index lookup, no hydration), in the current transaction if any. */
  async exists(tenantId: string, projectId: string): Promise<boolean> {
    const { rows } = await PROJECT_EXISTS(this.sql(), tenantId, projectId);
    return rows.length > 0;
  }

  /**
   * Locks the project row (`FOR NO KEY UPDATE`) until the transaction ends: changes to a
   * project's task tree (re-parenting, deleting a task) run one at a time. False when
   * the project is not there (or went meanwhile).
   */
  async lock(tenantId: string, projectId: string): Promise<boolean> {
    const row = await this.sql()
      .selectFrom('projects')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', projectId)
      .select('id')
      .forNoKeyUpdate()
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Locks the projects of `projectIds` like `lock`, in id order, in one statement. */
  async lockAll(tenantId: string, projectIds: readonly string[]): Promise<void> {
    if (projectIds.length === 0) return;
    await this.sql()
      .selectFrom('projects')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', projectIds)
      .orderBy('id')
      .select('id')
      .forNoKeyUpdate()
      .execute();
  }

  /**
   * Takes the next task number of an active project: one UPDATE whose row lock serialises
   * concurrent creates until the creating transaction ends (a rollback gives the number
   * back), and which then takes the lock of the board column the task goes to (the tasks
   * module's column lock). `archived` for an archived project (its counter unchanged),
   * null when the project is missing, or was deleted while this waited for the lock.
   */
  async takeTaskNumber(
    tenantId: string,
    projectId: string,
    column: string,
  ): Promise<{ number: number; key: string } | 'archived' | null> {
    const [row] = (await TAKE_TASK_NUMBER(this.sql(), tenantId, projectId, column)).rows;
    if (!row) return null;
    return row.archived ? 'archived' : { number: row.number, key: row.key };
  }
}
