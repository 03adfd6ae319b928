import type { EntityManager } from '@mikro-orm/postgresql';
import type { ActivityChange } from './activity.js';
import { TaskLabel } from './entities/task-label.entity.js';
import { Task } from './entities/task.entity.js';
import type { TaskRepository } from './task.repository.js';
import { InvalidTaskReference } from './tasks.errors.js';

/**
 * A task's labels. Labels a write links are checked and held (`FOR KEY SHARE`) before the
 * task is locked (labels come before tasks in the lock order), so a label deleted at the
 * same moment is either gone before (a 400) or waits for the link and then removes it with
 * a history entry.
 */
export async function holdLabels(tasks: TaskRepository, tenantId: string, labelIds: readonly string[]): Promise<void> {
  const distinct = [...new Set(labelIds)];
  if ((await tasks.holdLabels(tenantId, distinct)) !== distinct.length) {
    throw new InvalidTaskReference('labelIds', 'must be labels of this tenant');
  }
}

export async function linkLabels(
  em: EntityManager,
  tenantId: string,
  taskId: string,
  labelIds: readonly string[],
): Promise<void> {
  await em.insertMany(
    TaskLabel,
    labelIds.map((label) => ({ tenant: tenantId, task: taskId, label })),
  );
}

/** Sets a held task's labels to `labelIds` (held by `holdLabels`): the events of those added and removed. */
export async function replaceLabels(
  em: EntityManager,
  tenantId: string,
  taskId: string,
  labelIds: readonly string[],
): Promise<ActivityChange[]> {
  const current = await em.getRepository(Task).labelIdsOf(tenantId, taskId);
  const added = labelIds.filter((id) => !current.includes(id));
  const removed = current.filter((id) => !labelIds.includes(id));
  if (added.length > 0) await linkLabels(em, tenantId, taskId, added);
  if (removed.length > 0) {
    await em.nativeDelete(TaskLabel, { tenant: tenantId, task: taskId, label: { $in: removed } });
  }
  return [
    ...added.map((to): ActivityChange => ({ action: 'label_added', field: 'labelIds', to })),
    ...removed.map((from): ActivityChange => ({ action: 'label_removed', field: 'labelIds', from })),
  ];
}
