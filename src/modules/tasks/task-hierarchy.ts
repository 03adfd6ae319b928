import type { EntityManager } from '@mikro-orm/postgresql';
import { Project } from '../projects/entities/project.entity.js';
import type { TaskLocation, TaskRepository } from './task.repository.js';
import { InvalidTaskReference, TaskNotFound } from './tasks.errors.js';

/**
 * Sub-task rules. Changes to a project's task tree (re-parenting a task, deleting one) lock
 * the project row first, so they run one at a time and two of them cannot close a loop
 * together; a new sub-task holds its parent (`FOR KEY SHARE`) until it is written.
 */

/** Locks the task's project: changes to the project's task tree run one at a time. */
export async function lockTaskTree(em: EntityManager, tenantId: string, task: TaskLocation): Promise<void> {
  // The project goes only with its tasks: a task found a moment ago is gone with it.
  if (!(await em.getRepository(Project).lock(tenantId, task.projectId))) throw new TaskNotFound();
}

/** A parent for a task of `projectId`: a task of the same project, held until the change commits. */
export async function holdParent(
  tasks: TaskRepository,
  tenantId: string,
  projectId: string,
  parentId: string,
): Promise<void> {
  if (!(await tasks.holdInProject(tenantId, parentId, projectId))) {
    throw new InvalidTaskReference('parentId', 'must be a task of the same project');
  }
}

/**
 * A new parent for an existing task (its tree locked by the caller): a task of the same
 * project that is not the task itself nor one of its descendants.
 */
export async function assertNewParent(
  tasks: TaskRepository,
  tenantId: string,
  task: TaskLocation,
  parentId: string,
): Promise<void> {
  await holdParent(tasks, tenantId, task.projectId, parentId);
  if (await tasks.isAncestorOrSelf(tenantId, task.id, parentId)) {
    throw new InvalidTaskReference('parentId', 'must not be the task itself or one of its sub-tasks');
  }
}
