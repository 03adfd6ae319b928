import type { EntityManager, RequiredEntityData } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { sqlOf } from '../../database/typed-sql.js';
import { ActivityEvent, type ActivityAction } from './entities/activity-event.entity.js';

/** Who changed which task: the context every event of one change shares. */
export interface ActivitySubject {
  tenantId: string;
  projectId: string;
  taskId: string;
  actorId: string;
}

/** What one event says happened. */
export interface ActivityChange {
  action: ActivityAction;
  field?: string;
  from?: string | null;
  to?: string | null;
}

function eventData(subject: ActivitySubject, change: ActivityChange): RequiredEntityData<ActivityEvent> {
  return {
    tenant: subject.tenantId,
    project: subject.projectId,
    taskId: subject.taskId,
    actor: subject.actorId,
    action: change.action,
    field: change.field ?? null,
    from: change.from ?? null,
    to: change.to ?? null,
  };
}

/**
 * Appends an event to the activity log through `em`'s unit of work, so it is flushed in
 * the transaction of the change it describes.
 */
export function recordActivity(
  em: EntityManager,
  subject: ActivitySubject,
  action: ActivityAction,
  change: Omit<ActivityChange, 'action'> = {},
): void {
  em.create(ActivityEvent, eventData(subject, { action, ...change }));
}

/** One event of the log: which task, and what happened to it. */
export interface ActivityEntry {
  subject: ActivitySubject;
  change: ActivityChange;
}

/**
 * Appends the events of one change in a single INSERT in `em`'s transaction, for changes
 * written with native statements rather than the unit of work (a task's create and update).
 * Their ids (UUIDv7) keep the given order.
 */
export async function appendActivity(
  em: EntityManager,
  subject: ActivitySubject,
  changes: readonly ActivityChange[],
): Promise<void> {
  await appendActivities(
    em,
    changes.map((change) => ({ subject, change })),
  );
}

/** Appends events of several tasks (one set-based change of many) in a single INSERT. */
export async function appendActivities(em: EntityManager, entries: readonly ActivityEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const createdAt = new Date();
  await sqlOf(em)
    .insertInto('activity_events')
    .values(
      entries.map(({ subject, change }) => ({
        id: uuidv7(),
        tenant_id: subject.tenantId,
        project_id: subject.projectId,
        task_id: subject.taskId,
        actor_id: subject.actorId,
        action: change.action,
        field: change.field ?? null,
        from: change.from ?? null,
        to: change.to ?? null,
        created_at: createdAt,
      })),
    )
    .execute();
}
