import { Migration } from '@mikro-orm/migrations';

export class Migration20261125202459 extends Migration {
  override name = 'Migration20261125202459';

  override up(): void | Promise<void> {
    this.addSql(
      `create type "task_status" as enum ('backlog', 'todo', 'in_progress', 'in_review', 'done', 'canceled');`,
    );
    this.addSql(`create type "task_priority" as enum ('none', 'low', 'medium', 'high', 'urgent');`);
    this.addSql(
      `create type "activity_action" as enum ('created', 'updated', 'deleted', 'label_added', 'label_removed', 'comment_added', 'comment_edited', 'comment_deleted');`,
    );
    this.addSql(
      `create table "projects" ("id" uuid not null, "tenant_id" uuid not null, "key" varchar(10) not null, "name" varchar(100) not null, "description" text null, "archived" boolean not null default false, "last_task_number" int not null default 0, "version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "projects_tenant_id_archived_name_id_index" on "projects" ("tenant_id", "archived", "name", "id");`,
    );
    this.addSql(`alter table "projects" add constraint "projects_tenant_id_id_unique" unique ("tenant_id", "id");`);
    this.addSql(`alter table "projects" add constraint "projects_tenant_id_key_unique" unique ("tenant_id", "key");`);

    this.addSql(
      `create table "labels" ("id" uuid not null, "tenant_id" uuid not null, "name" varchar(50) not null, "color" varchar(7) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create unique index "labels_tenant_id_lower_name_unique" on "labels" ("tenant_id", lower("name"));`);
    this.addSql(`alter table "labels" add constraint "labels_tenant_id_id_unique" unique ("tenant_id", "id");`);

    this.addSql(
      `create table "tasks" ("id" uuid not null, "tenant_id" uuid not null, "project_id" uuid not null, "key" varchar(21) not null, "number" int not null, "title" varchar(500) not null, "description" text null, "status" "task_status" not null default 'todo', "priority" "task_priority" not null default 'none', "assignee_id" uuid null, "reporter_id" uuid null, "due_date" date null, "parent_id" uuid null, "position" text collate "C" not null, "completed_at" timestamptz null, "version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, "search" tsvector generated always as (setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', coalesce(description, '')), 'B')) stored, primary key ("id"));`,
    );
    this.addSql(`create index "tasks_search_index" on "tasks" using gin ("search");`);
    this.addSql(`create index "tasks_parent_id_index" on "tasks" ("parent_id");`);
    this.addSql(`create index "tasks_tenant_id_assignee_id_index" on "tasks" ("tenant_id", "assignee_id");`);
    this.addSql(
      `create index "tasks_project_id_status_position_id_index" on "tasks" ("project_id", "status", "position", "id");`,
    );
    this.addSql(`create index "tasks_tenant_id_created_at_id_index" on "tasks" ("tenant_id", "created_at", "id");`);
    this.addSql(
      `create index "tasks_tenant_id_project_id_created_at_id_index" on "tasks" ("tenant_id", "project_id", "created_at", "id");`,
    );
    this.addSql(`alter table "tasks" add constraint "tasks_project_id_number_unique" unique ("project_id", "number");`);
    this.addSql(`alter table "tasks" add constraint "tasks_tenant_id_key_unique" unique ("tenant_id", "key");`);
    this.addSql(`alter table "tasks" add constraint "tasks_tenant_id_id_unique" unique ("tenant_id", "id");`);

    this.addSql(
      `create table "task_labels" ("task_id" uuid not null, "label_id" uuid not null, "tenant_id" uuid not null, primary key ("task_id", "label_id"));`,
    );
    this.addSql(`create index "task_labels_label_id_index" on "task_labels" ("label_id");`);

    this.addSql(
      `create table "comments" ("id" uuid not null, "tenant_id" uuid not null, "task_id" uuid not null, "author_id" uuid null, "body" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "comments_task_id_created_at_id_index" on "comments" ("task_id", "created_at", "id");`);

    this.addSql(
      `create table "activity_events" ("id" uuid not null, "tenant_id" uuid not null, "project_id" uuid not null, "task_id" uuid not null, "actor_id" uuid null, "action" "activity_action" not null, "field" varchar(32) null, "from" text null, "to" text null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "activity_events_project_id_index" on "activity_events" ("project_id");`);
    this.addSql(
      `create index "activity_events_tenant_id_task_id_created_at_id_index" on "activity_events" ("tenant_id", "task_id", "created_at", "id");`,
    );

    this.addSql(
      `alter table "projects" add constraint "projects_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "labels" add constraint "labels_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "tasks" add constraint "tasks_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_assignee_id_foreign" foreign key ("assignee_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_reporter_id_foreign" foreign key ("reporter_id") references "users" ("id") on delete set null;`,
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
      `alter table "task_labels" add constraint "task_labels_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "comments" add constraint "comments_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "comments" add constraint "comments_task_id_foreign" foreign key ("task_id") references "tasks" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "comments" add constraint "comments_author_id_foreign" foreign key ("author_id") references "users" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "activity_events" add constraint "activity_events_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "activity_events" add constraint "activity_events_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "activity_events" add constraint "activity_events_actor_id_foreign" foreign key ("actor_id") references "users" ("id") on delete set null;`,
    );

    // Written by hand (MikroORM maps single-column references only): composite foreign keys
    // through tenant_id make a reference to another tenant's row impossible to store,
    // whatever the code above the database does. An assignee must be a member of the
    // task's tenant, and stops being the assignee when the membership ends.
    this.addSql(
      `alter table "tasks" add constraint "tasks_tenant_project_foreign" foreign key ("tenant_id", "project_id") references "projects" ("tenant_id", "id") on delete cascade;`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_tenant_parent_foreign" foreign key ("tenant_id", "parent_id") references "tasks" ("tenant_id", "id") on delete set null ("parent_id");`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_tenant_assignee_foreign" foreign key ("tenant_id", "assignee_id") references "memberships" ("tenant_id", "user_id") on delete set null ("assignee_id");`,
    );
    this.addSql(
      `alter table "task_labels" add constraint "task_labels_tenant_task_foreign" foreign key ("tenant_id", "task_id") references "tasks" ("tenant_id", "id") on delete cascade;`,
    );
    this.addSql(
      `alter table "task_labels" add constraint "task_labels_tenant_label_foreign" foreign key ("tenant_id", "label_id") references "labels" ("tenant_id", "id") on delete cascade;`,
    );
    this.addSql(
      `alter table "comments" add constraint "comments_tenant_task_foreign" foreign key ("tenant_id", "task_id") references "tasks" ("tenant_id", "id") on delete cascade;`,
    );
    this.addSql(
      `alter table "activity_events" add constraint "activity_events_tenant_project_foreign" foreign key ("tenant_id", "project_id") references "projects" ("tenant_id", "id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "tasks" drop constraint "tasks_project_id_foreign";`);
    this.addSql(`alter table "activity_events" drop constraint "activity_events_project_id_foreign";`);
    this.addSql(`alter table "task_labels" drop constraint "task_labels_label_id_foreign";`);
    this.addSql(`alter table "tasks" drop constraint "tasks_parent_id_foreign";`);
    this.addSql(`alter table "task_labels" drop constraint "task_labels_task_id_foreign";`);
    this.addSql(`alter table "comments" drop constraint "comments_task_id_foreign";`);

    this.addSql(`drop table if exists "projects" cascade;`);
    this.addSql(`drop table if exists "labels" cascade;`);
    this.addSql(`drop table if exists "tasks" cascade;`);
    this.addSql(`drop table if exists "task_labels" cascade;`);
    this.addSql(`drop table if exists "comments" cascade;`);
    this.addSql(`drop table if exists "activity_events" cascade;`);

    this.addSql(`drop type "task_status";`);
    this.addSql(`drop type "task_priority";`);
    this.addSql(`drop type "activity_action";`);
  }
}
