import type { InferClassEntityDB } from '@mikro-orm/postgresql';
import type { ColumnType } from 'kysely';
import type { RateLimitCounter } from '../common/rate-limit/rate-limit-counter.entity.js';
import type { IdempotencyRecord } from '../common/idempotency/idempotency-record.entity.js';
import type { AccountToken } from '../modules/auth/entities/account-token.entity.js';
import type { RefreshToken } from '../modules/auth/entities/refresh-token.entity.js';
import type { Session } from '../modules/auth/entities/session.entity.js';
import type { ApiToken } from '../modules/api-tokens/entities/api-token.entity.js';
import type { EventCounter } from '../modules/events/entities/event-counter.entity.js';
import type { TenantEvent } from '../modules/events/entities/tenant-event.entity.js';
import type { EventData } from '../modules/events/event-types.js';
import type { Project } from '../modules/projects/entities/project.entity.js';
import type { ProjectState } from '../modules/projects/states/entities/project-state.entity.js';
import type { ActivityEvent } from '../modules/tasks/entities/activity-event.entity.js';
import type { Comment } from '../modules/tasks/entities/comment.entity.js';
import type { Label } from '../modules/tasks/entities/label.entity.js';
import type { TaskLabel } from '../modules/tasks/entities/task-label.entity.js';
import type { TaskRelation } from '../modules/tasks/entities/task-relation.entity.js';
import type { Task } from '../modules/tasks/entities/task.entity.js';
import type { Invitation } from '../modules/tenants/entities/invitation.entity.js';
import type { Membership } from '../modules/tenants/entities/membership.entity.js';
import type { Tenant } from '../modules/tenants/entities/tenant.entity.js';
import type { User } from '../modules/users/entities/user.entity.js';
import type { DeliveryPayload, WebhookDelivery } from '../modules/webhooks/entities/webhook-delivery.entity.js';
import type { Webhook } from '../modules/webhooks/entities/webhook.entity.js';

/** Each table by its name in PostgreSQL, with the entity class that maps it. */
export interface EntityTables {
  account_tokens: typeof AccountToken;
  activity_events: typeof ActivityEvent;
  api_tokens: typeof ApiToken;
  comments: typeof Comment;
  event_counters: typeof EventCounter;
  events: typeof TenantEvent;
  idempotency_keys: typeof IdempotencyRecord;
  invitations: typeof Invitation;
  labels: typeof Label;
  memberships: typeof Membership;
  project_states: typeof ProjectState;
  projects: typeof Project;
  rate_limit_counters: typeof RateLimitCounter;
  refresh_tokens: typeof RefreshToken;
  sessions: typeof Session;
  task_labels: typeof TaskLabel;
  task_relations: typeof TaskRelation;
  tasks: typeof Task;
  tenants: typeof Tenant;
  users: typeof User;
  webhook_deliveries: typeof WebhookDelivery;
  webhooks: typeof Webhook;
}

/**
 * The columns of an entity class as MikroORM infers them for Kysely: snake_case names,
 * a `ManyToOne` as its join column (`tenant` → `tenant_id`), no collections or methods.
 * (The inference names a table after the entity; ours are named in `EntityTables`.)
 */
type EntityColumns<E> =
  InferClassEntityDB<E & { '~entityName'?: 'row' }> extends { row: infer Columns } ? Columns : never;

/**
 * A column as it crosses the wire: MikroORM's PostgreSQL connection reads `timestamptz`
 * (and `date`) as PostgreSQL's text, where an entity holds a `Date`; a `Date` is written as is.
 */
type WireColumn<V> = [Extract<V, Date>] extends [never]
  ? V
  : ColumnType<Exclude<V, Date> | string, V | string, V | string>;

type WireRow<Columns> = { [K in keyof Columns]: WireColumn<Columns[K]> };

/** A table's row type, read from its entity class. */
export type TableRow<E> = WireRow<EntityColumns<E>>;

/**
 * `bigint` arrives as text (pg's default parser keeps its precision); the entity's
 * `number[]` is what its custom type hydrates. Written as numbers or as the text read.
 */
type RateLimitCounterRow = Omit<TableRow<typeof RateLimitCounter>, 'hits'> & {
  hits: ColumnType<string[], readonly (number | string)[], readonly (number | string)[]>;
};

/**
 * A `bigint` column held as a number by its entity: read as text (pg's default parser keeps
 * its precision), written as a number; `Insert` is `number | undefined` for one with a default.
 */
type BigIntColumn<Insert = number> = ColumnType<string | number, Insert, number>;

/**
 * Yello's schema for Kysely, inferred from the entities: a renamed property or a wrong
 * column name in a hand-written statement fails to compile. Get an instance bound to an
 * EntityManager's transaction with `sqlOf(em)` or, in a repository, `this.sql()`
 * (`typed-sql.ts`). Columns only created by migrations (the tasks' `search` tsvector) are
 * not here: reach them with Kysely's `sql` tag.
 */
export type Database = {
  [T in Exclude<keyof EntityTables, BigIntTables>]: TableRow<EntityTables[T]>;
} & {
  rate_limit_counters: RateLimitCounterRow;
  events: Omit<TableRow<typeof TenantEvent>, 'seq' | 'data'> & {
    seq: BigIntColumn;
    data: ColumnType<EventData, EventData, EventData>;
  };
  event_counters: Omit<TableRow<typeof EventCounter>, 'last_seq' | 'purged_through'> & {
    last_seq: BigIntColumn<number | undefined>;
    purged_through: BigIntColumn<number | undefined>;
  };
  webhook_deliveries: Omit<TableRow<typeof WebhookDelivery>, 'payload'> & {
    payload: ColumnType<DeliveryPayload, DeliveryPayload, DeliveryPayload>;
  };
};

type BigIntTables = 'rate_limit_counters' | 'events' | 'event_counters' | 'webhook_deliveries';
