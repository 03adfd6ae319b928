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
   * Takes the next task number of an active project: one conditional UPDATE whose row
   * lock serialises concurrent creates until the creating transaction ends (a rollback
   * gives the number back). Null when the project is missing or archived.
   */
  async takeTaskNumber(tenantId: string, projectId: string): Promise<{ number: number; key: string } | null> {
    const em = this.getEntityManager();
    const [row] = await em
      .getConnection()
      .execute<{ number: number; key: string }[]>(
        'update projects set last_task_number = last_task_number + 1 ' +
          'where tenant_id = ? and id = ? and not archived returning last_task_number as number, key',
        [tenantId, projectId],
        'all',
        em.getTransactionContext(),
      );
    return row ?? null;
  }
}
