/** Every kind of event the log holds, `<entity>.<what happened>`. */
export const EVENT_TYPES = [
  'project.created',
  'project.updated',
  'project.deleted',
  'task.created',
  'task.updated',
  'task.deleted',
  'comment.created',
  'comment.updated',
  'comment.deleted',
  'label.created',
  'label.updated',
  'label.deleted',
  'relation.created',
  'relation.deleted',
  'state.created',
  'state.updated',
  'state.deleted',
  'member.added',
  'member.role_changed',
  'member.removed',
  'api_token.created',
  'api_token.revoked',
  'webhook.disabled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** What an event carries: the entity after the change, and for updates `changes`. */
export type EventData = Readonly<Record<string, unknown>>;

/** A field's change, as events report it. */
export interface FieldChange {
  from: unknown;
  to: unknown;
}
export type FieldChanges = Readonly<Record<string, FieldChange>>;

/** The fields of `after` that differ from `before`, as `{field: {from, to}}`. */
export function changesBetween<T extends object>(
  before: T,
  after: T,
  fields: readonly (keyof T & string)[],
): FieldChanges {
  const changes: Record<string, FieldChange> = {};
  for (const field of fields) {
    if (before[field] !== after[field]) changes[field] = { from: before[field], to: after[field] };
  }
  return changes;
}
