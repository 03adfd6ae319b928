import { Migration } from '@mikro-orm/migrations';

export class Migration20261125130819 extends Migration {
  override name = 'Migration20261125130819';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "users" ("id" uuid not null, "email" varchar(254) not null, "name" varchar(100) not null, "password_hash" varchar(60) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(
      `create table "sessions" ("id" uuid not null, "user_id" uuid not null, "user_agent" varchar(512) null, "created_at" timestamptz not null, "last_used_at" timestamptz not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `create index "sessions_user_id_revoked_at_expires_at_index" on "sessions" ("user_id", "revoked_at", "expires_at");`,
    );

    this.addSql(
      `create table "refresh_tokens" ("token_hash" varchar(64) not null, "session_id" uuid not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "spent_at" timestamptz null, primary key ("token_hash"));`,
    );
    this.addSql(`create index "refresh_tokens_session_id_index" on "refresh_tokens" ("session_id");`);

    this.addSql(
      `alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "refresh_tokens" add constraint "refresh_tokens_session_id_foreign" foreign key ("session_id") references "sessions" ("id") on delete cascade;`,
    );
  }
}
