import type { EntityManager, RequiredEntityData } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { sqlOf, StatementShapes } from '../../database/typed-sql.js';
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

/** An activity row as `appendActivities` inserts it. */
interface ActivityRow {
  id: string;
  tenant_id: string;
  project_id: string;
  task_id: string;
  actor_id: string;
  action: ActivityAction;
  field: string | null;
  from: string | null;
  to: string | null;
  /** ISO text. */
  created_at: string;
}

/** The inserts of one change's few rows (a create, a PATCH), compiled once per shape. */
const FEW_ROWS = 4;
const ACTIVITY_INSERTS = new StatementShapes<readonly ActivityRow[], unknown>(
  (rows, bind) => {
    const some = (value: string | null) => (value === null ? null : bind(value));
    return rows.map((row) => ({
      id: bind(row.id),
      tenant_id: bind(row.tenant_id),
      project_id: bind(row.project_id),
      task_id: bind(row.task_id),
      actor_id: bind(row.actor_id),
      action: row.action,
      field: some(row.field),
      from: some(row.from),
      to: some(row.to),
      created_at: bind(row.created_at),
    }));
  },
  (db, rows) => db.insertInto('activity_events').values(rows),
);

/** Appends events of several tasks (one set-based change of many) in a single INSERT. */
export async function appendActivities(em: EntityManager, entries: readonly ActivityEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const createdAt = new Date().toISOString();
  const rows = entries.map(({ subject, change }): ActivityRow => ({
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
  }));
  // Many rows (a bulk change) are built as they come: their shapes would crowd out the rest.
  const db = sqlOf(em);
  if (rows.length > FEW_ROWS) await db.insertInto('activity_events').values(rows).execute();
  else await db.executeQuery(ACTIVITY_INSERTS.compile(rows));
}
