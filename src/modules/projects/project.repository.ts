import { EntityRepository } from '@mikro-orm/postgresql';
import type { TaskStatus } from '../tasks/task-fields.js';
import type { Project } from './entities/project.entity.js';

export class ProjectRepository extends EntityRepository<Project> {
  /** Tasks of a project per status (statuses without tasks are absent). */
  countTasksByStatus(tenantId: string, projectId: string): Promise<{ status: TaskStatus; count: number }[]> {
    return this.getEntityManager()
      .getConnection()
      .execute(
        'select status, count(*)::int as count from tasks where tenant_id = ? and project_id = ? group by status',
        [tenantId, projectId],
      );
  }

  /** Whether the project exists in the tenant (one index lookup, no hydration), in the current transaction if any. */
  async exists(tenantId: string, projectId: string): Promise<boolean> {
    const em = this.getEntityManager();
    const rows = await em
      .getConnection()
      .execute<{ found: number }[]>(
        'select 1 as found from projects where tenant_id = ? and id = ?',
        [tenantId, projectId],
        'all',
        em.getTransactionContext(),
      );
    return rows.length > 0;
  }

  /**
   * Locks the project row (`FOR NO KEY UPDATE`) until the transaction ends: changes to a
   * project's task tree (re-parenting, deleting a task) run one at a time. False when
   * the project is not there (or went meanwhile).
   */
  async lock(tenantId: string, projectId: string): Promise<boolean> {
    const em = this.getEntityManager();
    const rows = await em
      .getConnection()
      .execute<{ found: number }[]>(
        'select 1 as found from projects where tenant_id = ? and id = ? for no key update',
        [tenantId, projectId],
        'all',
        em.getTransactionContext(),
      );
    return rows.length > 0;
  }

  /**
   * Takes the next task number of an active project: one UPDATE whose row lock serialises
   * concurrent creates until the creating transaction ends (a rollback gives the number
   * back). `archived` for an archived project (its counter unchanged), null when the
   * project is missing, or was deleted while this waited for the lock.
   */
  async takeTaskNumber(
    tenantId: string,
    projectId: string,
  ): Promise<{ number: number; key: string } | 'archived' | null> {
    const em = this.getEntityManager();
    const [row] = await em
      .getConnection()
      .execute<{ number: number; key: string; archived: boolean }[]>(
        'update projects set last_task_number = last_task_number + (case when archived then 0 else 1 end) ' +
          'where tenant_id = ? and id = ? returning last_task_number as number, key, archived',
        [tenantId, projectId],
        'all',
        em.getTransactionContext(),
      );
    if (!row) return null;
    return row.archived ? 'archived' : { number: row.number, key: row.key };
  }
}
