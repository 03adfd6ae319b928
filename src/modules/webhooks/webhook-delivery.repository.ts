import { sql, type QueryCreator } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { jobAddedFor } from '../../common/jobs/job-queue.repository.js';
import type { JobDefinition } from '../../common/jobs/job.js';
import type { Database } from '../../database/database-schema.js';
import { precompiled, SqlRepository } from '../../database/typed-sql.js';
import { appendedEventJson, isoTimestamp, type AppendedEvents } from '../events/event.repository.js';
import type { WebhookTarget } from './webhook.repository.js';
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

/** The job of a delivery's attempt, and its key: what `queueDeliveries` queues for each delivery it writes. */
export interface DeliveryJob {
  job: JobDefinition<{ tenantId: string; deliveryId: string }>;
  /** Prepended to the delivery's id. */
  keyPrefix: string;
}

/**
 * The webhooks' step of an event append (`AppendStep`), in the append statement: for each
 * appended event (`a`), a pending delivery to each enabled webhook of the tenant whose
 * filters and project match it, with the event as the feed shows it, and a job for its first
 * attempt. The webhooks are held `FOR KEY SHARE` as they are read (after the tenant's
 * counter, as the deliveries' foreign key would hold them anyway): a delete waits for the
 * writer, and one committed meanwhile leaves its webhook out. A tenant without enabled
 * webhooks costs one index probe, and writes and queues nothing.
 */
export function queueDeliveries(
  db: QueryCreator<Database & AppendedEvents>,
  tenantId: string,
  { job, keyPrefix }: DeliveryJob,
) {
  const pending: DeliveryStatus = 'pending';
  return db
    .insertInto('webhook_deliveries')
    .columns([
      'id',
      'tenant_id',
      'webhook_id',
      'event_id',
      'event_type',
      'payload',
      'status',
      'created_at',
      'next_attempt_at',
    ])
    .expression((db) =>
      db
        .selectFrom('appended as a')
        .innerJoin(
          (eb) =>
            eb
              .selectFrom('webhooks')
              .where('tenant_id', '=', tenantId)
              .where('active', '=', true)
              .select(['id', 'events', 'project_id'])
              .forKeyShare()
              .as('w'),
          (join) =>
            join
              .on((eb) => eb.or([eb('w.project_id', 'is', null), eb('w.project_id', '=', eb.ref('a.project_id'))]))
              // The event's type, or its entity's pattern (`task.*`).
              .on(sql<boolean>`(a.type = any(w.events) or split_part(a.type, '.', 1) || '.*' = any(w.events))`),
        )
        // In the events' order: `uuidv7()` runs after the sort, so the ids follow it.
        .orderBy('a.seq')
        .orderBy('w.id')
        .select((eb) => [
          sql<string>`uuidv7()`.as('id'),
          eb.val(tenantId).as('tenant_id'),
          'w.id as webhook_id',
          'a.id as event_id',
          'a.type as event_type',
          // The Standard Webhooks body: `DeliveryPayload`.
          sql<DeliveryPayload>`jsonb_build_object('type', a.type, 'timestamp', ${isoTimestamp(sql`a.occurred_at`)}, 'data', ${appendedEventJson()})`.as(
            'payload',
          ),
          eb.val(pending).as('status'),
          sql<Date>`statement_timestamp()`.as('created_at'),
          sql<Date>`statement_timestamp()`.as('next_attempt_at'),
        ]),
    )
    .returning((eb) =>
      jobAddedFor(
        job,
        sql`json_build_object('tenantId', ${eb.ref('tenant_id')}, 'deliveryId', ${eb.ref('id')})`,
        sql<string>`${keyPrefix} || ${eb.ref('id')}`,
      ).as('job_id'),
    );
}

/**
 * `claim`'s statement, compiled once: it runs for every attempt. Its values: the tenant, the
 * delivery, the lease as an interval (`"60000 milliseconds"`).
 */
const CLAIM = precompiled(3, (db, tenantId = '', deliveryId = '', lease = '') =>
  db
    .updateTable('webhook_deliveries as d')
    .from('webhooks as w')
    .set({ lease_until: sql<string>`now() + ${lease}::interval` })
    .whereRef('w.tenant_id', '=', 'd.tenant_id')
    .whereRef('w.id', '=', 'd.webhook_id')
    .where('d.tenant_id', '=', tenantId)
    .where('d.id', '=', deliveryId)
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_at', '<=', sql<string>`now()`)
    .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<', sql<string>`now()`)]))
    .returning([
      'd.id',
      'd.webhook_id',
      'd.event_id',
      'd.event_type',
      'd.payload',
      'd.attempt',
      'd.created_at',
      'w.url',
      'w.active',
      'w.secret',
      'w.previous_secret',
      'w.previous_secret_expires_at',
    ]),
);

/**
 * `record`'s statement, compiled once. Its values: the tenant, the delivery, then the
 * attempt's number, status, response status, duration, error and next attempt.
 */
const RECORD = precompiled(
  8,
  (
    db,
    tenantId = '',
    deliveryId = '',
    attempt = '',
    status = '',
    responseStatus = '',
    durationMs = '',
    error = '',
    next = '',
  ) =>
    db
      .updateTable('webhook_deliveries')
      .set({
        attempt: sql<number>`${attempt}::int`,
        status: sql<DeliveryStatus>`${status}`,
        response_status: sql<number | null>`${responseStatus}::int`,
        duration_ms: sql<number>`${durationMs}::int`,
        error,
        next_attempt_at: sql<Date | null>`${next}::timestamptz`,
        lease_until: null,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', deliveryId),
);

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
   * is claimed again. Null when it is not pending, not due, or held. With it, in the same
   * statement, what the attempt needs of its webhook.
   */
  async claim(
    tenantId: string,
    deliveryId: string,
    leaseMs: number,
  ): Promise<{ delivery: ClaimedDelivery; target: WebhookTarget } | null> {
    const row = (await CLAIM(this.sql(), tenantId, deliveryId, `${leaseMs} milliseconds`)).rows[0];
    if (!row) return null;
    return {
      delivery: {
        id: row.id,
        webhookId: row.webhook_id,
        eventId: row.event_id,
        eventType: row.event_type,
        payload: row.payload,
        attempt: row.attempt,
        createdAt: new Date(row.created_at),
      },
      target: {
        url: row.url,
        active: row.active,
        secret: row.secret,
        previousSecret: row.previous_secret,
        previousSecretExpiresAt:
          row.previous_secret_expires_at === null ? null : new Date(row.previous_secret_expires_at),
      },
    };
  }

  /** Records an attempt of a claimed delivery and releases it. */
  async record(tenantId: string, deliveryId: string, attempt: number, outcome: AttemptRecord): Promise<void> {
    await RECORD(
      this.sql(),
      tenantId,
      deliveryId,
      attempt,
      outcome.status,
      outcome.responseStatus,
      outcome.durationMs,
      outcome.error,
      outcome.nextAttemptAt,
    );
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
