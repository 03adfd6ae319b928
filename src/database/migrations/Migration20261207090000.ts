import { Migration } from '@mikro-orm/migrations';

/**
 * Mailed tokens (password reset, email verification and change), stored as their SHA-256,
 * and the moment a user's address was proved. The job queue (graphile-worker) keeps its own
 * schema, installed and upgraded by graphile-worker itself (see src/common/jobs).
 */
export class Migration20261207090000 extends Migration {
  override name = 'Migration20261207090000';

  override up(): void | Promise<void> {
    this.addSql(`alter table "users" add column "email_verified_at" timestamptz null;`);
    this.addSql(
      `create type "account_token_purpose" as enum ('password-reset', 'email-verification', 'email-change');`,
    );
    this.addSql(
      `create table "account_tokens" ("token_hash" varchar(64) not null, "user_id" uuid not null, "purpose" "account_token_purpose" not null, "email" varchar(254) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, primary key ("token_hash"));`,
    );
    this.addSql(`create index "account_tokens_expires_at_index" on "account_tokens" ("expires_at");`);
    this.addSql(`create index "account_tokens_user_id_purpose_index" on "account_tokens" ("user_id", "purpose");`);
    this.addSql(
      `alter table "account_tokens" add constraint "account_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table "account_tokens";`);
    this.addSql(`drop type "account_token_purpose";`);
    this.addSql(`alter table "users" drop column "email_verified_at";`);
  }
}
