import { Migration } from '@mikro-orm/migrations';

/**
 * Workflow states per project. Every existing project gets the six states Yello always had
 * (same keys, so tasks and clients keep working); `tasks.status` becomes a state key (text)
 * with the state's category beside it, both pinned to the state by a composite foreign key:
 * no task is ever in a state that is gone, nor carries another category than its state's.
 */
export class Migration20261207100000 extends Migration {
  override name = 'Migration20261207100000';

  override up(): void | Promise<void> {
    this.addSql(`create type "state_category" as enum ('backlog', 'unstarted', 'started', 'completed', 'canceled');`);
    this.addSql(
      `create table "project_states" ("id" uuid not null, "tenant_id" uuid not null, "project_id" uuid not null, "key" varchar(32) not null, "name" varchar(50) not null, "category" "state_category" not null, "color" varchar(7) null, "position" text collate "C" not null, "is_default" boolean not null default false, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create unique index "project_states_one_default_index" on "project_states" ("tenant_id", "project_id") where "is_default";`,
    );
    this.addSql(
      `alter table "project_states" add constraint "project_states_tenant_id_id_unique" unique ("tenant_id", "id");`,
    );
    this.addSql(
      `alter table "project_states" add constraint "project_states_tenant_id_project_id_key_unique" unique ("tenant_id", "project_id", "key");`,
    );
    this.addSql(
      `alter table "project_states" add constraint "project_states_tenant_id_project_id_key_category_unique" unique ("tenant_id", "project_id", "key", "category");`,
    );
    this.addSql(
      `alter table "project_states" add constraint "project_states_tenant_id_project_id_position_unique" unique ("tenant_id", "project_id", "position");`,
    );
    this.addSql(
      `alter table "project_states" add constraint "project_states_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "project_states" add constraint "project_states_tenant_project_foreign" foreign key ("tenant_id", "project_id") references "projects" ("tenant_id", "id") on delete cascade;`,
    );

    // The six states, in board order (positions as `generateNKeysBetween(null, null, 6)` gives them).
    this.addSql(
      `insert into "project_states" ("id", "tenant_id", "project_id", "key", "name", "category", "color", "position", "is_default", "created_at") ` +
        `select uuidv7(), p."tenant_id", p."id", s."key", s."name", s."category"::"state_category", null, s."position", s."key" = 'todo', now() ` +
        `from "projects" p cross join (values ('backlog', 'Backlog', 'backlog', 'a0'), ('todo', 'To do', 'unstarted', 'a1'), ` +
        `('in_progress', 'In progress', 'started', 'a2'), ('in_review', 'In review', 'started', 'a3'), ` +
        `('done', 'Done', 'completed', 'a4'), ('canceled', 'Canceled', 'canceled', 'a5')) as s("key", "name", "category", "position");`,
    );

    // The status from the enum to a state key, with the indexes and constraints over it rebuilt.
    this.addSql(`alter table "tasks" drop constraint "tasks_tenant_id_project_id_status_position_unique";`);
    this.addSql(`drop index "tasks_project_id_status_position_id_index";`);
    this.addSql(`drop index "tasks_tenant_id_status_position_id_index";`);
    this.addSql(`alter table "tasks" alter column "status" drop default;`);
    this.addSql(`alter table "tasks" alter column "status" type text using "status"::text;`);
    this.addSql(`drop type "task_status";`);
    this.addSql(`alter table "tasks" add column "status_category" "state_category" null;`);
    this.addSql(
      `update "tasks" set "status_category" = (case "status" when 'backlog' then 'backlog' when 'todo' then 'unstarted' ` +
        `when 'in_progress' then 'started' when 'in_review' then 'started' when 'done' then 'completed' else 'canceled' end)::"state_category";`,
    );
    this.addSql(`alter table "tasks" alter column "status_category" set not null;`);
    this.addSql(
      `create index "tasks_project_id_status_position_id_index" on "tasks" ("project_id", "status", "position", "id");`,
    );
    this.addSql(
      `create index "tasks_tenant_id_status_position_id_index" on "tasks" ("tenant_id", "status", "position", "id");`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_tenant_id_project_id_status_position_unique" unique ("tenant_id", "project_id", "status", "position") deferrable initially immediate;`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_tenant_state_foreign" foreign key ("tenant_id", "project_id", "status", "status_category") references "project_states" ("tenant_id", "project_id", "key", "category");`,
    );
  }

  /** Back to the fixed statuses: only possible while every task is in one of the six. */
  override down(): void | Promise<void> {
    this.addSql(`alter table "tasks" drop constraint "tasks_tenant_state_foreign";`);
    this.addSql(`alter table "tasks" drop column "status_category";`);
    this.addSql(
      `create type "task_status" as enum ('backlog', 'todo', 'in_progress', 'in_review', 'done', 'canceled');`,
    );
    this.addSql(`alter table "tasks" alter column "status" type "task_status" using "status"::"task_status";`);
    this.addSql(`alter table "tasks" alter column "status" set default 'todo';`);
    this.addSql(`drop table "project_states";`);
    this.addSql(`drop type "state_category";`);
  }
}
