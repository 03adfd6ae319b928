import { EntityManager, RequestContext } from '@mikro-orm/postgresql';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';
import { tryAdvisoryTransactionLock } from '../../database/advisory-locks.js';
import { Transactions } from '../../database/transactions.js';
import { WebhookDelivery } from './entities/webhook-delivery.entity.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

const SWEEP_BATCH = 500;
const SWEEP_LOCK_CLASS = 0x59454c57; // 'YELW'

/**
 * At least once across `kill -9`. graphile-worker (0.18) keeps the job of a worker that died
 * mid-attempt locked until its lock expires, 4 hours later, and has no heartbeat to notice
 * sooner. The delivery row is the truth instead: an attempt claims it for the lease
 * (`leaseUntil`, `WEBHOOK_LEASE_MS`: a minute), and this sweep, every half lease on one
 * instance at a time, queues a new job for each pending delivery a lease past due and
 * unclaimed. Re-queuing uses the delivery's job key, so a job still waiting is replaced,
 * not doubled; a stale job that runs later finds the row not due (or done) and does nothing.
 */
@Injectable()
export class WebhookSweep implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookSweep.name);
  /** A pending delivery this long past due, and not held by an attempt, has lost its job. */
  private readonly graceMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly dispatcher: WebhookDispatcher,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.graceMs = config.webhooks.leaseMs;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweepPeriodically(), this.graceMs / 2);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async sweepPeriodically(): Promise<void> {
    try {
      const requeued = await this.sweep();
      if (requeued > 0) this.logger.warn(`re-queued ${requeued} webhook deliveries whose job was lost`);
    } catch (error) {
      this.logger.debug(`webhook sweep failed: ${String(error)}`);
    }
  }

  /** Re-queues overdue deliveries; how many. */
  async sweep(graceMs = this.graceMs): Promise<number> {
    // A context of its own, as a job's: the sweep runs on a timer, outside any request.
    return RequestContext.create(this.em, () =>
      this.transactions.run(async (em) => {
        if (!(await tryAdvisoryTransactionLock(em, SWEEP_LOCK_CLASS, 'webhook-sweep'))) return 0;
        const overdue = await em.getRepository(WebhookDelivery).overdue(graceMs, SWEEP_BATCH);
        const byTenant = Map.groupBy(overdue, (delivery) => delivery.tenantId);
        for (const [tenantId, deliveries] of byTenant) {
          await this.dispatcher.requeue(
            em,
            tenantId,
            deliveries.map((delivery) => delivery.id),
          );
        }
        return overdue.length;
      }),
    );
  }
}
