import { Migration } from '@mikro-orm/migrations';

/**
 * Tenant API tokens. Only the SHA-256 of a token is kept (unique: the lookup of every
 * request made with one). A token hangs off its creator's membership through a composite
 * `(tenant_id, user_id)` key: removing the member deletes their tokens in the same statement.
 */
export class Migration20261207080000 extends Migration {
  override name = 'Migration20261207080000';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "api_tokens" ("id" uuid not null, "tenant_id" uuid not null, "user_id" uuid not null, "name" varchar(100) not null, "scopes" text[] not null, "token_hash" varchar(64) not null, "prefix" varchar(8) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "last_used_at" timestamptz null, "last_used_ip" varchar(45) null, "revoked_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_tenant_id_id_unique" unique ("tenant_id", "id");`);
    this.addSql(
      `create index "api_tokens_tenant_id_user_id_created_at_id_index" on "api_tokens" ("tenant_id", "user_id", "created_at", "id");`,
    );
    this.addSql(
      `create index "api_tokens_tenant_id_created_at_id_index" on "api_tokens" ("tenant_id", "created_at", "id");`,
    );
    this.addSql(
      `alter table "api_tokens" add constraint "api_tokens_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "api_tokens" add constraint "api_tokens_tenant_user_foreign" foreign key ("tenant_id", "user_id") references "memberships" ("tenant_id", "user_id") on delete cascade;`,
    );
    this.addSql(
      `alter table "api_tokens" add constraint "api_tokens_scopes_check" check ("scopes" <@ array['read'::text, 'write'::text, 'admin'::text]);`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "api_tokens" cascade;`);
  }
}
