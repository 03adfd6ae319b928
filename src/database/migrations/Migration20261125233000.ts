import { Migration } from '@mikro-orm/migrations';

/**
 * Scale-out (issue 10). Rate-limit counters every instance shares; and a schema ready to
 * distribute by tenant: every tenant table has a unique `(tenant_id, id)` (or, without an
 * id, a unique key leading with `tenant_id`) and an index leading with `tenant_id`, and
 * tenant tables reference each other only through composite `(tenant_id, …)` foreign keys.
 * The single-column foreign keys dropped here each had a composite twin with the same
 * delete rule (Migration20261125202459); their entities no longer declare them.
 */
export class Migration20261125233000 extends Migration {
  override name = 'Migration20261125233000';

  override up(): void | Promise<void> {
    // Unlogged: no WAL, so a counted attempt costs no disk flush. After a crash PostgreSQL
    // empties it, and a standby does not have it: both forget at most a minute of counts.
    this.addSql(
      `create unlogged table "rate_limit_counters" ("key" text not null, "hits" bigint[] not null, "expires_at" timestamptz not null, primary key ("key"));`,
    );
    this.addSql(`create index "rate_limit_counters_expires_at_index" on "rate_limit_counters" ("expires_at");`);

    this.addSql(
      `alter table "memberships" add constraint "memberships_tenant_id_id_unique" unique ("tenant_id", "id");`,
    );
    this.addSql(
      `alter table "invitations" add constraint "invitations_tenant_id_id_unique" unique ("tenant_id", "id");`,
    );
    this.addSql(`alter table "comments" add constraint "comments_tenant_id_id_unique" unique ("tenant_id", "id");`);
    this.addSql(
      `alter table "activity_events" add constraint "activity_events_tenant_id_id_unique" unique ("tenant_id", "id");`,
    );
    this.addSql(
      `alter table "task_labels" add constraint "task_labels_tenant_id_task_id_label_id_unique" unique ("tenant_id", "task_id", "label_id");`,
    );
    this.addSql(
      `create index "comments_tenant_id_task_id_created_at_id_index" on "comments" ("tenant_id", "task_id", "created_at", "id");`,
    );
    this.addSql(`drop index "comments_task_id_created_at_id_index";`);

    for (const [table, constraint] of SINGLE_COLUMN_TENANT_FOREIGN_KEYS) {
      this.addSql(`alter table "${table}" drop constraint "${constraint}";`);
    }
  }

  override down(): void | Promise<void> {
    this.addSql(
      `alter table "tasks" add constraint "tasks_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_parent_id_foreign" foreign key ("parent_id") references "tasks" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "task_labels" add constraint "task_labels_task_id_foreign" foreign key ("task_id") references "tasks" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "task_labels" add constraint "task_labels_label_id_foreign" foreign key ("label_id") references "labels" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "comments" add constraint "comments_task_id_foreign" foreign key ("task_id") references "tasks" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "activity_events" add constraint "activity_events_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`,
    );
    this.addSql(`create index "comments_task_id_created_at_id_index" on "comments" ("task_id", "created_at", "id");`);
    this.addSql(`drop index "comments_tenant_id_task_id_created_at_id_index";`);
    this.addSql(`alter table "task_labels" drop constraint "task_labels_tenant_id_task_id_label_id_unique";`);
    this.addSql(`alter table "activity_events" drop constraint "activity_events_tenant_id_id_unique";`);
    this.addSql(`alter table "comments" drop constraint "comments_tenant_id_id_unique";`);
    this.addSql(`alter table "invitations" drop constraint "invitations_tenant_id_id_unique";`);
    this.addSql(`alter table "memberships" drop constraint "memberships_tenant_id_id_unique";`);
    this.addSql(`drop table if exists "rate_limit_counters";`);
  }
}

const SINGLE_COLUMN_TENANT_FOREIGN_KEYS = [
  ['tasks', 'tasks_project_id_foreign'],
  ['tasks', 'tasks_parent_id_foreign'],
  ['task_labels', 'task_labels_task_id_foreign'],
  ['task_labels', 'task_labels_label_id_foreign'],
  ['comments', 'comments_task_id_foreign'],
  ['activity_events', 'activity_events_project_id_foreign'],
] as const;
