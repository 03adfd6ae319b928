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
  const parent = await tasks.hold(tenantId, parentId);
  if (parent?.projectId !== projectId) throw new InvalidTaskReference('parentId', 'must be a task of the same project');
}

/** A task about to become the parent of others: where it is, and its line up to the root. */
export interface NewParent extends TaskLocation {
  /** The task and its ancestors: none of them may become its sub-task. */
  lineage: ReadonlySet<string>;
}

/**
 * The task `parentId`, held until the change commits, with its lineage (read once for any
 * number of tasks moving under it: the caller holds the tree's lock), or null when the
 * tenant has no such task.
 */
export async function findNewParent(
  tasks: TaskRepository,
  tenantId: string,
  parentId: string,
): Promise<NewParent | null> {
  const parent = await tasks.hold(tenantId, parentId);
  if (!parent) return null;
  return { ...parent, lineage: new Set(await tasks.lineage(tenantId, parentId)) };
}

/** Whether `parent` may become `task`'s parent: a task of the same project that is not the task itself nor one of its descendants. */
export function assertParentOf(task: TaskLocation, parent: NewParent | null): void {
  if (parent?.projectId !== task.projectId) {
    throw new InvalidTaskReference('parentId', 'must be a task of the same project');
  }
  if (parent.lineage.has(task.id)) {
    throw new InvalidTaskReference('parentId', 'must not be the task itself or one of its sub-tasks');
  }
}
