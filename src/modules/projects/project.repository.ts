import { SqlRepository } from '../../database/typed-sql.js';
import type { TaskStatus } from '../tasks/task-fields.js';
import type { Project } from './entities/project.entity.js';

export class ProjectRepository extends SqlRepository<Project> {
  /** Tasks of a project per status (statuses without tasks are absent). */
  countTasksByStatus(tenantId: string, projectId: string): Promise<{ status: TaskStatus; count: number }[]> {
    return this.sql()
      .selectFrom('tasks')
      .where('tenant_id', '=', tenantId)
      .where('project_id', '=', projectId)
      .groupBy('status')
      .select((eb) => ['status', eb.cast<number>(eb.fn.countAll(), 'integer').as('count')])
      .execute();
  }

  /** Whether the project exists in the tenant (one index lookup, no hydration), in the current transaction if any. */
  async exists(tenantId: string, projectId: string): Promise<boolean> {
    const row = await this.sql()
      .selectFrom('projects')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', projectId)
      .select((eb) => eb.lit(1).as('found'))
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Takes the next task number of an active project: one conditional UPDATE whose row
   * lock serialises concurrent creates until the creating transaction ends (a rollback
   * gives the number back). Null when the project is missing or archived.
   */
  async takeTaskNumber(tenantId: string, projectId: string): Promise<{ number: number; key: string } | null> {
    const row = await this.sql()
      .updateTable('projects')
      .set((eb) => ({ last_task_number: eb('last_task_number', '+', 1) }))
      .where('tenant_id', '=', tenantId)
      .where('id', '=', projectId)
      .where((eb) => eb.not(eb.ref('archived')))
      .returning(['last_task_number as number', 'key'])
      .executeTakeFirst();
    return row ?? null;
  }
}
