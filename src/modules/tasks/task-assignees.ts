import type { TaskRepository } from './task.repository.js';
import { InvalidTaskReference } from './tasks.errors.js';

/**
 * A task's assignee: a member of the tenant with role member or above, whose membership is
 * held (`FOR SHARE`) until the change commits, so a concurrent demotion or removal waits
 * and then unassigns the task.
 */
export async function assertAssignable(tasks: TaskRepository, tenantId: string, userId: string): Promise<void> {
  if (!(await tasks.isAssignable(tenantId, userId))) {
    throw new InvalidTaskReference('assigneeId', 'must be a member of this tenant with role member or above');
  }
}
