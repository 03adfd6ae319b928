import type { FieldChanges } from '../events/event-types.js';
import type { TaskState } from '../projects/states/project-state.repository.js';
import type { ActivityChange } from './activity.js';
import type { UpdateTaskDto } from './dto/task.dto.js';
import type { EditableTaskFields, LockedTask, TaskChanges } from './task.repository.js';

/**
 * One change of one task, worked out in memory from the task as it was locked: what it
 * becomes, what its activity log records and what is written. Shared by a task `PATCH` and
 * a bulk change, so both log and write a change alike.
 */

/** Task fields whose changes are logged one by one, in this order. */
const LOGGED_FIELDS = [
  'title',
  'description',
  'status',
  'priority',
  'assigneeId',
  'dueDate',
  'parentId',
  'position',
] as const satisfies readonly (keyof EditableTaskFields)[];

/** The plain fields a change names (a status is named as the state it resolved to). */
export type NamedFields = Pick<
  UpdateTaskDto,
  'title' | 'description' | 'priority' | 'assigneeId' | 'dueDate' | 'parentId'
>;

export interface PlannedChange {
  /** The activity entries of the fields that change, in the order of `LOGGED_FIELDS`. */
  changes: ActivityChange[];
  /** The columns to write: the changed fields, with the category and `completedAt` following a new state. */
  written: TaskChanges;
}

/**
 * What `input` does to the locked `task`, the task being (or staying) in `state` at
 * `position` (undefined: where it is). The caller has checked the references (assignee,
 * parent, state); `now` is when a task entering a `completed` state completed.
 */
export function planChange(
  task: LockedTask,
  input: NamedFields,
  state: TaskState,
  position: string | undefined,
  now: Date,
): PlannedChange {
  const after: EditableTaskFields = { ...task, status: state.key };
  if (input.title !== undefined) after.title = input.title;
  if (input.description !== undefined) after.description = input.description;
  if (input.priority !== undefined) after.priority = input.priority;
  if (input.dueDate !== undefined) after.dueDate = input.dueDate;
  if (input.assigneeId !== undefined) after.assigneeId = input.assigneeId;
  if (input.parentId !== undefined) after.parentId = input.parentId;
  if (position !== undefined) after.position = position;

  const changed = LOGGED_FIELDS.filter((field) => task[field] !== after[field]);
  const has = (field: keyof EditableTaskFields) => changed.includes(field);
  return {
    changes: changed.map((field): ActivityChange => ({
      action: 'updated',
      field,
      from: task[field],
      to: after[field],
    })),
    written: {
      ...(has('title') && { title: after.title }),
      ...(has('description') && { description: after.description }),
      ...(has('status') && { status: after.status, statusCategory: state.category }),
      ...(has('priority') && { priority: after.priority }),
      ...(has('assigneeId') && { assigneeId: after.assigneeId }),
      ...(has('dueDate') && { dueDate: after.dueDate }),
      ...(has('parentId') && { parentId: after.parentId }),
      ...(has('position') && { position: after.position }),
      // Set when a task enters a `completed` state, cleared when it leaves them.
      ...((state.category === 'completed') !== (task.statusCategory === 'completed') && {
        completedAt: state.category === 'completed' ? now : null,
      }),
    },
  };
}

/**
 * The activity entries of one task update as an event's `changes`: each field from and to;
 * labels as the lists of ids before and after (`labelIds`, the task's labels now).
 */
export function eventChanges(changes: readonly ActivityChange[], labelIds: readonly string[]): FieldChanges {
  const result: Record<string, { from: unknown; to: unknown }> = {};
  const added = new Set<string>();
  const removed: string[] = [];
  for (const change of changes) {
    if (change.action === 'label_added' && change.to) added.add(change.to);
    else if (change.action === 'label_removed' && change.from) removed.push(change.from);
    else if (change.field) result[change.field] = { from: change.from ?? null, to: change.to ?? null };
  }
  if (added.size > 0 || removed.length > 0) {
    result.labelIds = { from: [...labelIds.filter((id) => !added.has(id)), ...removed].sort(), to: [...labelIds] };
  }
  return result;
}
