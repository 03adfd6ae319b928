import { Migration } from '@mikro-orm/migrations';

/**
 * Written by hand: one btree per list order, tenant-wide and per project, each ending in
 * `id` like the keyset, so every sort of the task list reads its page straight off an index
 * (first page or 500 pages deep) instead of sorting the tenant. Due dates are indexed on the
 * exact expressions the list sorts by (missing dates last in both directions).
 */
export class Migration20261125213000 extends Migration {
  override name = 'Migration20261125213000';

  override up(): void | Promise<void> {
    this.addSql(`create index "tasks_tenant_id_updated_at_id_index" on "tasks" ("tenant_id", "updated_at", "id");`);
    this.addSql(
      `create index "tasks_tenant_id_project_id_updated_at_id_index" on "tasks" ("tenant_id", "project_id", "updated_at", "id");`,
    );
    this.addSql(`create index "tasks_tenant_id_priority_id_index" on "tasks" ("tenant_id", "priority", "id");`);
    this.addSql(
      `create index "tasks_tenant_id_project_id_priority_id_index" on "tasks" ("tenant_id", "project_id", "priority", "id");`,
    );
    this.addSql(
      `create index "tasks_tenant_id_status_position_id_index" on "tasks" ("tenant_id", "status", "position", "id");`,
    );
    this.addSql(
      `create index "tasks_tenant_id_due_asc_id_index" on "tasks" ("tenant_id", coalesce("due_date", 'infinity'::date), "id");`,
    );
    this.addSql(
      `create index "tasks_tenant_id_due_desc_id_index" on "tasks" ("tenant_id", coalesce("due_date", '-infinity'::date), "id");`,
    );
    this.addSql(
      `create index "tasks_tenant_id_project_id_due_asc_id_index" on "tasks" ("tenant_id", "project_id", coalesce("due_date", 'infinity'::date), "id");`,
    );
    this.addSql(
      `create index "tasks_tenant_id_project_id_due_desc_id_index" on "tasks" ("tenant_id", "project_id", coalesce("due_date", '-infinity'::date), "id");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "tasks_tenant_id_updated_at_id_index";`);
    this.addSql(`drop index "tasks_tenant_id_project_id_updated_at_id_index";`);
    this.addSql(`drop index "tasks_tenant_id_priority_id_index";`);
    this.addSql(`drop index "tasks_tenant_id_project_id_priority_id_index";`);
    this.addSql(`drop index "tasks_tenant_id_status_position_id_index";`);
    this.addSql(`drop index "tasks_tenant_id_due_asc_id_index";`);
    this.addSql(`drop index "tasks_tenant_id_due_desc_id_index";`);
    this.addSql(`drop index "tasks_tenant_id_project_id_due_asc_id_index";`);
    this.addSql(`drop index "tasks_tenant_id_project_id_due_desc_id_index";`);
  }
}
