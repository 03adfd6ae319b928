import type { EntityManager } from '@mikro-orm/postgresql';
import type { ActivityChange } from './activity.js';
import { TaskLabel } from './entities/task-label.entity.js';
import { Task } from './entities/task.entity.js';
import type { TaskRepository } from './task.repository.js';
import { MAX_LABELS_PER_TASK } from './dto/task.dto.js';
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

/**
 * Adds and removes labels of a held task (`add` held by `holdLabels`), leaving its other
 * labels as they are: the events of those that changed.
 */
export async function changeLabels(
  em: EntityManager,
  tenantId: string,
  taskId: string,
  add: readonly string[],
  remove: readonly string[],
): Promise<ActivityChange[]> {
  const current = await em.getRepository(Task).labelIdsOf(tenantId, taskId);
  const removing = new Set(remove);
  const kept = current.filter((id) => !removing.has(id));
  return replaceLabels(em, tenantId, taskId, [...new Set([...kept, ...add])], current);
}

/** Sets a held task's labels to `labelIds` (held by `holdLabels`): the events of those added and removed. */
export async function replaceLabels(
  em: EntityManager,
  tenantId: string,
  taskId: string,
  labelIds: readonly string[],
  known?: readonly string[],
): Promise<ActivityChange[]> {
  const current = known ?? (await em.getRepository(Task).labelIdsOf(tenantId, taskId));
  if (labelIds.length > MAX_LABELS_PER_TASK) {
    throw new InvalidTaskReference('addLabelIds', `would give the task more than ${MAX_LABELS_PER_TASK} labels`);
  }
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
