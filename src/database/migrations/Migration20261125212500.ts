import { Migration } from '@mikro-orm/migrations';

export class Migration20261125212500 extends Migration {
  override name = 'Migration20261125212500';

  override up(): void | Promise<void> {
    // Of several open invitations for one email in one tenant, the newest stays open.
    this.addSql(
      `update "invitations" as "older" set "revoked_at" = now() where "older"."accepted_at" is null and "older"."revoked_at" is null and exists (select 1 from "invitations" as "newer" where "newer"."tenant_id" = "older"."tenant_id" and "newer"."email" = "older"."email" and "newer"."accepted_at" is null and "newer"."revoked_at" is null and ("newer"."created_at", "newer"."id") > ("older"."created_at", "older"."id"));`,
    );
    this.addSql(
      `create unique index "invitations_open_email_unique" on "invitations" ("tenant_id", "email") where "accepted_at" is null and "revoked_at" is null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "invitations_open_email_unique";`);
  }
}
