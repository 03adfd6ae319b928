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
  await linkLabelsOfTasks(em, tenantId, [{ taskId, labelIds }]);
}

/** Links each task to its labels (held by `holdLabels`), in one statement. */
export async function linkLabelsOfTasks(
  em: EntityManager,
  tenantId: string,
  links: readonly { taskId: string; labelIds: readonly string[] }[],
): Promise<void> {
  const rows = links.flatMap(({ taskId, labelIds }) =>
    labelIds.map((label) => ({ tenant: tenantId, task: taskId, label })),
  );
  if (rows.length > 0) await em.insertMany(TaskLabel, rows);
}

/** Removes every link between the tasks and the labels named, in one statement. */
export async function unlinkLabels(
  em: EntityManager,
  tenantId: string,
  taskIds: readonly string[],
  labelIds: readonly string[],
): Promise<void> {
  if (taskIds.length === 0 || labelIds.length === 0) return;
  await em.nativeDelete(TaskLabel, { tenant: tenantId, task: { $in: [...taskIds] }, label: { $in: [...labelIds] } });
}

/** How a task's labels change: the ids linked and unlinked. */
export interface LabelChange {
  added: string[];
  removed: string[];
}

/**
 * The change from a task's `current` labels to `next` (ids in lower case, as read), or a
 * 400 when `next` has more than a task may carry.
 */
export function labelChange(current: readonly string[], next: readonly string[]): LabelChange {
  if (next.length > MAX_LABELS_PER_TASK) {
    throw new InvalidTaskReference('addLabelIds', `would give the task more than ${MAX_LABELS_PER_TASK} labels`);
  }
  return {
    added: next.filter((id) => !current.includes(id)),
    removed: current.filter((id) => !next.includes(id)),
  };
}

/** `current` with `add` added and `remove` taken off; the task's other labels stay. */
export function addAndRemove(current: readonly string[], add: readonly string[], remove: readonly string[]): string[] {
  const removing = new Set(remove);
  return [...new Set([...current.filter((id) => !removing.has(id)), ...add])];
}

/** The activity entries of a label change: those added, then those removed. */
export function labelActivity(change: LabelChange): ActivityChange[] {
  return [
    ...change.added.map((to): ActivityChange => ({ action: 'label_added', field: 'labelIds', to })),
    ...change.removed.map((from): ActivityChange => ({ action: 'label_removed', field: 'labelIds', from })),
  ];
}

/** Sets a held task's labels to `labelIds` (held by `holdLabels`): the events of those added and removed. */
export async function replaceLabels(
  em: EntityManager,
  tenantId: string,
  taskId: string,
  labelIds: readonly string[],
): Promise<ActivityChange[]> {
  const change = labelChange(await em.getRepository(Task).labelIdsOf(tenantId, taskId), labelIds);
  if (change.added.length > 0) await linkLabels(em, tenantId, taskId, change.added);
  await unlinkLabels(em, tenantId, [taskId], change.removed);
  return labelActivity(change);
}
