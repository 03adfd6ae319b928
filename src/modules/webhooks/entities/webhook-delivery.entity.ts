import { EntityRepositoryType, OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { CompositeForeignKeys } from '../../../database/mikro-orm.options.js';
import { TenantScoped } from '../../tenants/entities/tenant-scoped.entity.js';
import { WebhookDeliveryRepository } from '../webhook-delivery.repository.js';
import { Webhook } from './webhook.entity.js';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** What a delivery sends: the Standard Webhooks body. */
export interface DeliveryPayload {
  type: string;
  timestamp: string;
  /** The event as the feed shows it (`EventDto`), or a ping's details. */
  data: object;
}

/**
 * One event (or ping) to send to one webhook, with the outcome of its last attempt. The
 * row is the truth of a delivery: a queued job only runs its next attempt, and an attempt
 * runs only after claiming the row (`leaseUntil`), so a job run twice, or re-queued by the
 * sweep after a crash, never sends twice at once.
 */
@CompositeForeignKeys({
  name: 'webhook_deliveries_tenant_webhook_foreign',
  columns: ['tenant_id', 'webhook_id'],
  references: { table: 'webhooks', columns: ['tenant_id', 'id'] },
  deleteRule: 'cascade',
})
@Entity({ tableName: 'webhook_deliveries', repository: () => WebhookDeliveryRepository })
@Unique({ properties: ['tenant', 'id'] })
@Index({ properties: ['tenant', 'webhook', 'createdAt', 'id'] })
@Index({ properties: ['createdAt'] })
@Index({
  name: 'webhook_deliveries_pending_index',
  expression: `create index "webhook_deliveries_pending_index" on "webhook_deliveries" ("next_attempt_at") where "status" = 'pending'`,
})
export class WebhookDelivery extends TenantScoped {
  [EntityRepositoryType]?: WebhookDeliveryRepository;
  [OptionalProps]?:
    | 'id'
    | 'attempt'
    | 'status'
    | 'responseStatus'
    | 'durationMs'
    | 'error'
    | 'createdAt'
    | 'nextAttemptAt'
    | 'leaseUntil';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Webhook, { deleteRule: 'cascade', createForeignKeyConstraint: false })
  webhook!: Webhook;

  /** The `webhook-id` header: the event's id, the same on every attempt and redelivery. */
  @Property({ type: 'uuid' })
  eventId!: string;

  @Property({ type: 'text' })
  eventType!: string;

  @Property({ type: 'jsonb' })
  payload!: DeliveryPayload;

  /** Attempts made so far. */
  @Property({ type: 'integer', default: 0 })
  attempt: number = 0;

  @Enum({ items: () => DELIVERY_STATUSES, default: 'pending' })
  status: DeliveryStatus = 'pending';

  @Property({ type: 'integer', nullable: true })
  responseStatus: number | null = null;

  @Property({ type: 'integer', nullable: true })
  durationMs: number | null = null;

  @Property({ length: 500, nullable: true })
  error: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  /** When the next attempt is due; null once the delivery succeeded or failed for good. */
  @Property({ type: 'datetime', nullable: true })
  nextAttemptAt: Date | null = new Date();

  /** An attempt in flight holds the row until then; past it, a crashed attempt is run again. */
  @Property({ type: 'datetime', nullable: true })
  leaseUntil: Date | null = null;
}
