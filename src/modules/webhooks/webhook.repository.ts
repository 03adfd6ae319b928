import { SqlRepository } from '../../database/typed-sql.js';
import type { Webhook } from './entities/webhook.entity.js';

/** What an attempt needs of an endpoint. */
export interface WebhookTarget {
  url: string;
  active: boolean;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

export class WebhookRepository extends SqlRepository<Webhook> {
  /** Disables an enabled endpoint; false when it was disabled (or deleted) already. */
  async disable(tenantId: string, webhookId: string, reason: string): Promise<boolean> {
    const row = await this.sql()
      .updateTable('webhooks')
      .set({ active: false, disabled_reason: reason, updated_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', webhookId)
      .where('active', '=', true)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }
}
