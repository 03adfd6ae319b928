import pg from 'pg';
import { useTestApp } from '../support/test-app.js';

/** Tables with a `tenant_id` column: everything a tenant owns (distributed by it under Citus). */
const TENANT_TABLES = `
  select c.oid, c.relname as name, a.attnum as tenant_attnum
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace and n.nspname = current_schema()
  join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
  where c.relkind in ('r', 'p')`;

/** Column names of an index or constraint, in key order. */
const columns = (relation: string, keys: string) => `
  (select array_agg(a.attname::text order by k.position)
   from unnest(${keys}) with ordinality as k(attnum, position)
   join pg_attribute a on a.attrelid = ${relation} and a.attnum = k.attnum)`;

/** Each broken rule, as one line naming the table or foreign key. */
const VIOLATIONS = `
  with tenant_tables as (${TENANT_TABLES}),
  indexes as (
    select t.name, i.indisunique as is_unique, i.indpred is null and i.indexprs is null as plain,
      ${columns('t.oid', 'i.indkey::int2[]')} as cols
    from tenant_tables t join pg_index i on i.indrelid = t.oid
  ),
  has_id as (
    select t.name, exists (select 1 from pg_attribute a where a.attrelid = t.oid and a.attname = 'id' and not a.attisdropped) as has
    from tenant_tables t
  ),
  foreign_keys as (
    select con.conname, from_t.name as from_table, to_t.name as to_table,
      ${columns('con.conrelid', 'con.conkey')} as from_cols,
      ${columns('con.confrelid', 'con.confkey')} as to_cols
    from pg_constraint con
    join tenant_tables from_t on from_t.oid = con.conrelid
    join tenant_tables to_t on to_t.oid = con.confrelid
    where con.contype = 'f'
  )
  select h.name || ': no unique (tenant_id, id)' as violation from has_id h
  where h.has and not exists (
    select 1 from indexes i where i.name = h.name and i.is_unique and i.plain
      and i.cols @> array['tenant_id', 'id'] and cardinality(i.cols) = 2)
  union all
  select h.name || ': no unique key leading with tenant_id' from has_id h
  where not h.has and not exists (select 1 from indexes i where i.name = h.name and i.is_unique and i.plain and i.cols[1] = 'tenant_id')
  union all
  select t.name || ': no index leading with tenant_id' from tenant_tables t
  where not exists (select 1 from indexes i where i.name = t.name and i.cols[1] = 'tenant_id')
  union all
  select f.conname || ' (' || f.from_table || ' -> ' || f.to_table || '): not through tenant_id' from foreign_keys f
  where coalesce(array_position(f.from_cols, 'tenant_id') <> array_position(f.to_cols, 'tenant_id'), true)
  order by 1`;

describe('the schema, ready to distribute by tenant', () => {
  const t = useTestApp();

  /** A connection of its own for each test, closed before the app drops its database. */
  const withClient = async <T>(use: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: t.config.database.url });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  };
  const violations = async (client: pg.Client): Promise<string[]> =>
    (await client.query<{ violation: string }>(VIOLATIONS)).rows.map((row) => row.violation);

  it('gives every tenant table a unique (tenant_id, id) and an index leading with tenant_id, and composite foreign keys between them', () =>
    withClient(async (client) => {
      const tables = (await client.query<{ name: string }>(`${TENANT_TABLES} order by 2`)).rows.map((row) => row.name);
      expect(tables).toEqual([
        'activity_events',
        'api_tokens',
        'comments',
        'event_counters',
        'events',
        'invitations',
        'labels',
        'memberships',
        'project_states',
        'projects',
        'task_labels',
        'task_relations',
        'tasks',
        'webhook_deliveries',
        'webhooks',
      ]);
      expect(await violations(client)).toEqual([]);
    }));

  it('names a tenant table or a foreign key that breaks the rules', () =>
    withClient(async (client) => {
      await client.query('begin');
      try {
        await client.query(
          `create table "stickers" ("id" uuid primary key, "tenant_id" uuid not null, "task_id" uuid)`,
        );
        await client.query(
          `alter table "stickers" add constraint "stickers_task_id_foreign" foreign key ("task_id") references "tasks" ("id")`,
        );
        expect(await violations(client)).toEqual([
          'stickers: no index leading with tenant_id',
          'stickers: no unique (tenant_id, id)',
          'stickers_task_id_foreign (stickers -> tasks): not through tenant_id',
        ]);
      } finally {
        await client.query('rollback');
      }
    }));
});
