import { Migration } from '@mikro-orm/migrations';

/**
 * Relations between tasks (`blocks`, `relates_to`, `duplicate_of`), stored once per pair and
 * direction, with tenant-inclusive references to both tasks; the activity log's actions for
 * adding and removing one.
 */
export class Migration20261207074708 extends Migration {
  override name = 'Migration20261207074708';

  override up(): void | Promise<void> {
    this.addSql(`create type "task_relation_type" as enum ('blocks', 'relates_to', 'duplicate_of');`);
    this.addSql(
      `create table "task_relations" ("id" uuid not null, "tenant_id" uuid not null, "type" "task_relation_type" not null, "source_id" uuid not null, "target_id" uuid not null, "created_by_id" uuid null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create unique index "task_relations_one_duplicate_of_index" on "task_relations" ("tenant_id", "source_id") where "type" = 'duplicate_of';`,
    );
    this.addSql(
      `create index "task_relations_tenant_id_target_id_type_index" on "task_relations" ("tenant_id", "target_id", "type");`,
    );
    this.addSql(
      `alter table "task_relations" add constraint "task_relations_tenant_id_id_unique" unique ("tenant_id", "id");`,
    );
    this.addSql(
      `alter table "task_relations" add constraint "task_relations_tenant_id_source_id_type_target_id_unique" unique ("tenant_id", "source_id", "type", "target_id");`,
    );

    this.addSql(`alter type "activity_action" add value if not exists 'relation_added' after 'comment_deleted';`);
    this.addSql(`alter type "activity_action" add value if not exists 'relation_removed' after 'relation_added';`);

    this.addSql(
      `alter table "task_relations" add constraint "task_relations_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "task_relations" add constraint "task_relations_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "task_relations" add constraint "task_relations_tenant_source_foreign" foreign key ("tenant_id", "source_id") references "tasks" ("tenant_id", "id") on delete cascade;`,
    );
    this.addSql(
      `alter table "task_relations" add constraint "task_relations_tenant_target_foreign" foreign key ("tenant_id", "target_id") references "tasks" ("tenant_id", "id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "task_relations" cascade;`);

    this.addSql(`drop type "task_relation_type";`);
  }
}
