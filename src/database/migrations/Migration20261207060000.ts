import { Migration } from '@mikro-orm/migrations';

/**
 * Board positions unique per column. Concurrent moves aimed at the same gap used to give
 * several tasks one key; the constraint makes the later writer fail (and rerun) instead.
 * Deferrable, checked at the end of each statement, so rebalancing a column can rewrite
 * every key of it in one UPDATE. Keys already duplicated get a suffix that keeps them in
 * their current order (by id), each still a valid fractional-index key.
 */
export class Migration20261207060000 extends Migration {
  override name = 'Migration20261207060000';

  override up(): void | Promise<void> {
    this.addSql(
      `with ranked as (select id, position, row_number() over (partition by tenant_id, project_id, status, position order by id) as n from tasks) ` +
        `update tasks t set position = ranked.position || repeat('V', (ranked.n - 1)::int) from ranked where t.id = ranked.id and ranked.n > 1;`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_tenant_id_project_id_status_position_unique" unique ("tenant_id", "project_id", "status", "position") deferrable initially immediate;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "tasks" drop constraint "tasks_tenant_id_project_id_status_position_unique";`);
  }
}
