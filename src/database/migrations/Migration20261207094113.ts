import { Migration } from '@mikro-orm/migrations';

/**
 * The tenant event log: events numbered per tenant (`seq`) and each tenant's counter, whose
 * row the appending transaction holds until it commits (see `EventLog`).
 */
export class Migration20261207094113 extends Migration {
  override name = 'Migration20261207094113';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "event_counters" ("tenant_id" uuid not null, "last_seq" bigint not null default '0', "purged_through" bigint not null default '0', primary key ("tenant_id"));`,
    );

    this.addSql(
      `create table "events" ("id" uuid not null, "tenant_id" uuid not null, "seq" bigint not null, "type" text not null, "occurred_at" timestamptz not null, "actor_user_id" uuid null, "actor_token_id" uuid null, "project_id" uuid null, "data" jsonb not null, primary key ("id"));`,
    );
    this.addSql(`alter table "events" add constraint "events_tenant_id_seq_unique" unique ("tenant_id", "seq");`);
    this.addSql(`alter table "events" add constraint "events_tenant_id_id_unique" unique ("tenant_id", "id");`);

    this.addSql(
      `alter table "event_counters" add constraint "event_counters_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "events" add constraint "events_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "event_counters" cascade;`);
    this.addSql(`drop table if exists "events" cascade;`);
  }
}
