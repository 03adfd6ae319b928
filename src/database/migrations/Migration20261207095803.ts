import { Migration } from '@mikro-orm/migrations';

/**
 * Webhooks of a tenant (Standard Webhooks, secrets sealed) and their delivery log: one row
 * per event and endpoint, the truth of its attempts (see `WebhookDispatcher`).
 */
export class Migration20261207095803 extends Migration {
  override name = 'Migration20261207095803';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "webhooks" ("id" uuid not null, "tenant_id" uuid not null, "url" varchar(2048) not null, "events" text[] not null, "project_id" uuid null, "description" varchar(500) null, "active" boolean not null default true, "disabled_reason" varchar(500) null, "secret" text not null, "previous_secret" text null, "previous_secret_expires_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "webhooks_tenant_id_created_at_id_index" on "webhooks" ("tenant_id", "created_at", "id");`,
    );
    this.addSql(`alter table "webhooks" add constraint "webhooks_tenant_id_id_unique" unique ("tenant_id", "id");`);

    this.addSql(
      `create table "webhook_deliveries" ("id" uuid not null, "tenant_id" uuid not null, "webhook_id" uuid not null, "event_id" uuid not null, "event_type" text not null, "payload" jsonb not null, "attempt" int not null default 0, "status" text not null default 'pending', "response_status" int null, "duration_ms" int null, "error" varchar(500) null, "created_at" timestamptz not null, "next_attempt_at" timestamptz null, "lease_until" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `create index "webhook_deliveries_pending_index" on "webhook_deliveries" ("next_attempt_at") where "status" = 'pending';`,
    );
    this.addSql(`create index "webhook_deliveries_created_at_index" on "webhook_deliveries" ("created_at");`);
    this.addSql(
      `create index "webhook_deliveries_tenant_id_webhook_id_created_at_id_index" on "webhook_deliveries" ("tenant_id", "webhook_id", "created_at", "id");`,
    );
    this.addSql(
      `alter table "webhook_deliveries" add constraint "webhook_deliveries_tenant_id_id_unique" unique ("tenant_id", "id");`,
    );

    this.addSql(
      `alter table "webhooks" add constraint "webhooks_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "webhooks" add constraint "webhooks_tenant_project_foreign" foreign key ("tenant_id", "project_id") references "projects" ("tenant_id", "id") on delete cascade;`,
    );

    this.addSql(
      `alter table "webhook_deliveries" add constraint "webhook_deliveries_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "webhook_deliveries" add constraint "webhook_deliveries_tenant_webhook_foreign" foreign key ("tenant_id", "webhook_id") references "webhooks" ("tenant_id", "id") on delete cascade;`,
    );
    this.addSql(
      `alter table "webhook_deliveries" add constraint "webhook_deliveries_status_check" check ("status" in ('pending', 'succeeded', 'failed'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "webhook_deliveries" drop constraint "webhook_deliveries_tenant_webhook_foreign";`);

    this.addSql(`drop table if exists "webhooks" cascade;`);
    this.addSql(`drop table if exists "webhook_deliveries" cascade;`);
  }
}
