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
  async target(tenantId: string, webhookId: string): Promise<WebhookTarget | null> {
    const row = await this.sql()
      .selectFrom('webhooks')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', webhookId)
      .select(['url', 'active', 'secret', 'previous_secret', 'previous_secret_expires_at'])
      .executeTakeFirst();
    if (!row) return null;
    return {
      url: row.url,
      active: row.active,
      secret: row.secret,
      previousSecret: row.previous_secret,
      previousSecretExpiresAt:
        row.previous_secret_expires_at === null ? null : new Date(row.previous_secret_expires_at),
    };
  }

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
