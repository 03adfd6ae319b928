import { Injectable } from '@nestjs/common';
import { deleteBatch, Purger, RETENTION_MS, type PurgeBatch } from '../../common/housekeeping/purger.js';
import { TENANT_FILTER } from '../tenants/entities/tenant-scoped.entity.js';
import { WebhookDelivery } from './entities/webhook-delivery.entity.js';

@Injectable()
@Purger()
export class WebhooksPurger implements Purger {
  /** The delivery log keeps 30 days (a delivery is retried for 3 at most), across all tenants. */
  purgeJobs(now: Date): Record<string, PurgeBatch> {
    const over = { createdAt: { $lt: new Date(now.getTime() - RETENTION_MS) } };
    return {
      webhookDeliveries: (em, limit) => deleteBatch(em, WebhookDelivery, over, limit, { [TENANT_FILTER]: false }),
    };
  }
}
