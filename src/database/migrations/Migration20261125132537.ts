import { Migration } from '@mikro-orm/migrations';

export class Migration20261125132537 extends Migration {
  override name = 'Migration20261125132537';

  override up(): void | Promise<void> {
    this.addSql(`create type "tenant_role" as enum ('owner', 'admin', 'member', 'viewer');`);
    this.addSql(
      `create table "tenants" ("id" uuid not null, "name" varchar(100) not null, "slug" varchar(40) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "tenants" add constraint "tenants_slug_unique" unique ("slug");`);

    this.addSql(
      `create table "memberships" ("id" uuid not null, "tenant_id" uuid not null, "user_id" uuid not null, "role" "tenant_role" not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "memberships_user_id_created_at_id_index" on "memberships" ("user_id", "created_at", "id");`,
    );
    this.addSql(
      `create index "memberships_tenant_id_created_at_id_index" on "memberships" ("tenant_id", "created_at", "id");`,
    );
    this.addSql(
      `alter table "memberships" add constraint "memberships_tenant_id_user_id_unique" unique ("tenant_id", "user_id");`,
    );

    this.addSql(
      `create table "invitations" ("id" uuid not null, "tenant_id" uuid not null, "email" varchar(254) not null, "role" "tenant_role" not null, "token_hash" varchar(64) not null, "invited_by_id" uuid null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "accepted_at" timestamptz null, "revoked_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`alter table "invitations" add constraint "invitations_token_hash_unique" unique ("token_hash");`);
    this.addSql(
      `create index "invitations_tenant_id_created_at_id_index" on "invitations" ("tenant_id", "created_at", "id");`,
    );

    this.addSql(
      `alter table "memberships" add constraint "memberships_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "memberships" add constraint "memberships_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "invitations" add constraint "invitations_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "invitations" add constraint "invitations_invited_by_id_foreign" foreign key ("invited_by_id") references "users" ("id") on delete set null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "memberships" drop constraint "memberships_tenant_id_foreign";`);
    this.addSql(`alter table "invitations" drop constraint "invitations_tenant_id_foreign";`);

    this.addSql(`drop table if exists "tenants" cascade;`);
    this.addSql(`drop table if exists "memberships" cascade;`);
    this.addSql(`drop table if exists "invitations" cascade;`);

    this.addSql(`drop type "tenant_role";`);
  }
}
