import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { SqlRepository } from '../../database/typed-sql.js';
import type { DeliveryPayload, DeliveryStatus, WebhookDelivery } from './entities/webhook-delivery.entity.js';

export interface NewDelivery {
  webhookId: string;
  eventId: string;
  eventType: string;
  payload: DeliveryPayload;
}

/** A delivery claimed for one attempt. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  payload: DeliveryPayload;
  /** Attempts made before this one. */
  attempt: number;
  createdAt: Date;
}

export interface AttemptRecord {
  status: DeliveryStatus;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
  nextAttemptAt: Date | null;
}

export class WebhookDeliveryRepository extends SqlRepository<WebhookDelivery> {
  /** Inserts pending deliveries, due now; returns their ids in order. */
  async insertPending(tenantId: string, deliveries: readonly NewDelivery[]): Promise<string[]> {
    if (deliveries.length === 0) return [];
    const pending: DeliveryStatus = 'pending';
    const rows = deliveries.map((delivery) => ({
      id: uuidv7(),
      tenant_id: tenantId,
      webhook_id: delivery.webhookId,
      event_id: delivery.eventId,
      event_type: delivery.eventType,
      payload: delivery.payload,
      attempt: 0,
      status: pending,
      created_at: new Date(),
      next_attempt_at: new Date(),
    }));
    await this.sql().insertInto('webhook_deliveries').values(rows).execute();
    return rows.map((row) => row.id);
  }

  /**
   * Claims a pending delivery that is due, for one attempt: until `leaseMs` from now no other
   * job (a duplicate, another instance) can claim it; past that, an attempt whose process died
   * is claimed again. Null when it is not pending, not due, or held.
   */
  async claim(tenantId: string, deliveryId: string, leaseMs: number): Promise<ClaimedDelivery | null> {
    const row = await this.sql()
      .updateTable('webhook_deliveries')
      .set({ lease_until: sql<string>`now() + ${`${leaseMs} milliseconds`}::interval` })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', deliveryId)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', sql<string>`now()`)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<string>`now()`)]))
      .returning(['id', 'webhook_id', 'event_id', 'event_type', 'payload', 'attempt', 'created_at'])
      .executeTakeFirst();
    if (!row) return null;
    return {
      id: row.id,
      webhookId: row.webhook_id,
      eventId: row.event_id,
      eventType: row.event_type,
      payload: row.payload,
      attempt: row.attempt,
      createdAt: new Date(row.created_at),
    };
  }

  /** Records an attempt of a claimed delivery and releases it. */
  async record(tenantId: string, deliveryId: string, attempt: number, outcome: AttemptRecord): Promise<void> {
    await this.sql()
      .updateTable('webhook_deliveries')
      .set({
        attempt,
        status: outcome.status,
        response_status: outcome.responseStatus,
        duration_ms: outcome.durationMs,
        error: outcome.error,
        next_attempt_at: outcome.nextAttemptAt,
        lease_until: null,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', deliveryId)
      .execute();
  }

  /**
   * Pending deliveries of every tenant that are overdue by `graceMs` and not held by an
   * attempt: their job was lost (its worker killed, holding it locked for hours) or is stuck
   * behind others. Across tenants, like housekeeping: the sweep re-queues them.
   */
  async overdue(graceMs: number, limit: number): Promise<{ tenantId: string; id: string }[]> {
    const rows = await this.sql()
      .selectFrom('webhook_deliveries')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<', sql<string>`now() - ${`${graceMs} milliseconds`}::interval`)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<string>`now()`)]))
      .orderBy('next_attempt_at')
      .limit(limit)
      .select(['tenant_id', 'id'])
      .execute();
    return rows.map((row) => ({ tenantId: row.tenant_id, id: row.id }));
  }
}
