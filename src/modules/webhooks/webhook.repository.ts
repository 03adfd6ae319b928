import { SqlRepository } from '../../database/typed-sql.js';
import type { Webhook } from './entities/webhook.entity.js';

/** What the append hook needs of an endpoint to pick the events it is sent. */
export interface WebhookSubscription {
  id: string;
  events: string[];
  projectId: string | null;
}

/** What an attempt needs of an endpoint. */
export interface WebhookTarget {
  url: string;
  active: boolean;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

export class WebhookRepository extends SqlRepository<Webhook> {
  /** The tenant's enabled endpoints: the one statement an append costs a tenant without any. */
  async subscriptions(tenantId: string): Promise<WebhookSubscription[]> {
    const rows = await this.sql()
      .selectFrom('webhooks')
      .where('tenant_id', '=', tenantId)
      .where('active', '=', true)
      .select(['id', 'events', 'project_id'])
      .execute();
    return rows.map((row) => ({ id: row.id, events: row.events, projectId: row.project_id }));
  }

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
