import { Migration } from '@mikro-orm/migrations';

export class Migration20261125133432 extends Migration {
  override name = 'Migration20261125133432';

  override up(): void | Promise<void> {
    this.addSql(`create type "idempotency_state" as enum ('in_progress', 'completed');`);
    this.addSql(
      `create table "idempotency_keys" ("user_id" uuid not null, "key" varchar(255) not null, "fingerprint" varchar(64) not null, "state" "idempotency_state" not null default 'in_progress', "response_status" smallint null, "response_body" json null, "response_headers" jsonb null, "created_at" timestamptz not null, primary key ("user_id", "key"));`,
    );

    this.addSql(
      `alter table "idempotency_keys" add constraint "idempotency_keys_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "idempotency_keys" cascade;`);

    this.addSql(`drop type "idempotency_state";`);
  }
}
