import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { z } from 'zod';
import { defineJob } from '../../common/jobs/job.js';
import { JobQueue } from '../../common/jobs/job-queue.repository.js';
import { JobRunner } from '../../common/jobs/job-runner.js';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';
import { Transactions } from '../../database/transactions.js';
import { EventLog } from '../events/event-log.js';
import { WebhookDelivery } from './entities/webhook-delivery.entity.js';
import { Webhook } from './entities/webhook.entity.js';
import { nextAttemptAt } from './retry-schedule.js';
import { queueDeliveries, type ClaimedDelivery, type NewDelivery } from './webhook-delivery.repository.js';
import { signatures, WebhookSecrets } from './webhook-secrets.js';
import { sendWebhook, type AttemptOutcome } from './webhook-sender.js';
import type { WebhookTarget } from './webhook.repository.js';

/**
 * One attempt of one delivery. The queue retries a job only when its handler threw (the
 * database went away); the delivery's own retries are new jobs at the row's `nextAttemptAt`.
 */
export const WEBHOOK_DELIVERY = defineJob(
  'webhook.delivery',
  z.object({ tenantId: z.uuid(), deliveryId: z.uuid() }),
  5,
);

export const PING_TYPE = 'webhook.ping';

const DELIVERY_JOB_KEY_PREFIX = 'webhook-delivery:';
/** One job key per delivery: re-queuing a delivery replaces its waiting job instead of adding one. */
export const deliveryJobKey = (deliveryId: string): string => `${DELIVERY_JOB_KEY_PREFIX}${deliveryId}`;

/**
 * Sends the tenant event log to webhooks. Each append (in the writer's transaction, in the
 * append statement itself: `queueDeliveries`) turns the events into delivery rows for the
 * matching enabled webhooks and queues one job each on graphile-worker, so both commit with
 * the change or not at all; a tenant without enabled webhooks pays one index probe inside
 * that statement. Each job makes one attempt: it claims the row,
 * POSTs, and records the outcome, queuing the next attempt when there is one. See
 * docs/webhooks.md for the queue, and `WebhookSweep` for crashed attempts.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit {
  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly eventLog: EventLog,
    private readonly jobs: JobQueue,
    private readonly runner: JobRunner,
    private readonly secrets: WebhookSecrets,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.eventLog.onAppend((db, tenantId) =>
      queueDeliveries(db, tenantId, { job: WEBHOOK_DELIVERY, keyPrefix: DELIVERY_JOB_KEY_PREFIX }),
    );
    this.runner.handle(WEBHOOK_DELIVERY, ({ tenantId, deliveryId }) => this.attempt(tenantId, deliveryId));
  }

  /** Inserts deliveries and queues their first attempts, in `em`'s transaction. */
  async queue(em: EntityManager, tenantId: string, deliveries: readonly NewDelivery[]): Promise<string[]> {
    const ids = await em.getRepository(WebhookDelivery).insertPending(tenantId, deliveries);
    await this.requeue(em, tenantId, ids);
    return ids;
  }

  /** Queues a job for each delivery (replacing one still waiting). */
  async requeue(em: EntityManager, tenantId: string, deliveryIds: readonly string[], runAt?: Date): Promise<void> {
    await this.jobs.addMany(
      em,
      WEBHOOK_DELIVERY,
      deliveryIds.map((deliveryId) => ({ payload: { tenantId, deliveryId }, key: deliveryJobKey(deliveryId), runAt })),
    );
  }

  /** One attempt: nothing when the delivery is not due, done, or held by another attempt. */
  private async attempt(tenantId: string, deliveryId: string): Promise<void> {
    const deliveries = this.em.getRepository(WebhookDelivery);
    // A webhook deleted meanwhile took its deliveries with it: nothing to claim.
    const claimed = await deliveries.claim(tenantId, deliveryId, this.config.webhooks.leaseMs);
    if (!claimed) return;
    const { delivery, target } = claimed;
    if (!target.active) {
      await deliveries.record(tenantId, delivery.id, delivery.attempt, {
        status: 'failed',
        responseStatus: null,
        durationMs: 0,
        error: 'The webhook is disabled',
        nextAttemptAt: null,
      });
      return;
    }
    const outcome = await this.send(delivery, target);
    if (outcome.error === null) {
      // One statement: a success queues and disables nothing, so it needs no transaction.
      await deliveries.record(tenantId, delivery.id, delivery.attempt + 1, {
        status: 'succeeded',
        responseStatus: outcome.responseStatus,
        durationMs: outcome.durationMs,
        error: null,
        nextAttemptAt: null,
      });
      return;
    }
    await this.transactions.run((em) => this.recordFailure(em, tenantId, delivery, target, outcome));
  }

  private send(delivery: ClaimedDelivery, target: WebhookTarget): Promise<AttemptOutcome> {
    const now = new Date();
    const timestamp = Math.floor(now.getTime() / 1000);
    const body = JSON.stringify(delivery.payload);
    const keys = [this.secrets.open(target.secret)];
    if (target.previousSecret && target.previousSecretExpiresAt && target.previousSecretExpiresAt > now) {
      keys.push(this.secrets.open(target.previousSecret));
    }
    return sendWebhook(
      {
        url: target.url,
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Yello-Webhooks/1',
          'webhook-id': delivery.eventId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signatures(keys, delivery.eventId, timestamp, body),
        },
      },
      { production: this.config.environment === 'production' },
    );
  }

  /** Records a failed attempt, and queues the next one or gives up (disabling the webhook). */
  private async recordFailure(
    em: EntityManager,
    tenantId: string,
    delivery: ClaimedDelivery,
    target: WebhookTarget,
    outcome: AttemptOutcome,
  ): Promise<void> {
    const attempt = delivery.attempt + 1;
    const result = { responseStatus: outcome.responseStatus, durationMs: outcome.durationMs, error: outcome.error };
    const deliveries = em.getRepository(WebhookDelivery);
    // A ping tells whether the endpoint works now: it is not retried, and never disables it.
    const next =
      delivery.eventType === PING_TYPE || outcome.responseStatus === 410
        ? null
        : nextAttemptAt(attempt, delivery.createdAt, new Date(), outcome.retryAfter, this.config.webhooks.retryScale);
    await deliveries.record(tenantId, delivery.id, attempt, {
      ...result,
      status: next ? 'pending' : 'failed',
      nextAttemptAt: next,
    });
    if (next) await this.requeue(em, tenantId, [delivery.id], next);
    else if (delivery.eventType !== PING_TYPE) {
      const reason =
        outcome.responseStatus === 410
          ? 'The endpoint answered 410 Gone'
          : `Every attempt failed for 3 days (last: ${outcome.error})`;
      await this.disable(em, tenantId, delivery.webhookId, target, reason);
    }
  }

  /** Disables the webhook, once, and records `webhook.disabled` (Yello is the actor). */
  private async disable(
    em: EntityManager,
    tenantId: string,
    webhookId: string,
    target: WebhookTarget,
    reason: string,
  ): Promise<void> {
    if (!(await em.getRepository(Webhook).disable(tenantId, webhookId, reason.slice(0, 500)))) return;
    this.eventLog.record(
      { tenantId, userId: null },
      {
        type: 'webhook.disabled',
        data: { webhook: { id: webhookId, url: target.url, active: false, disabledReason: reason } },
      },
    );
  }
}
