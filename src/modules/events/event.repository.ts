import { sql, type OperationNodeSource, type QueryCreator, type RawBuilder } from 'kysely';
import type { Database } from '../../database/database-schema.js';
import { sendAsNamedStatement } from '../../database/named-statements.js';
import { precompiled, sendAhead, SqlRepository } from '../../database/typed-sql.js';
import type { TenantEvent } from './entities/tenant-event.entity.js';
import type { EventData, EventType } from './event-types.js';

/** The channel a commit that appended events notifies, with `<tenantId>:<last seq>`. */
export const EVENTS_CHANNEL = 'yello_events';

/** An event as written, before its number. */
export interface EventRow {
  id: string;
  type: EventType;
  occurredAt: Date;
  actorUserId: string | null;
  actorTokenId: string | null;
  projectId: string | null;
  data: EventData;
}

/** An event as read back, numbered. */
export interface StoredEvent extends EventRow {
  seq: number;
}

/** Which events of a tenant a reader wants. */
export interface EventFilter {
  after: number;
  /** Exact types, and the entities of `entity.*` patterns; none: every type. */
  types?: { exact: EventType[]; entities: string[] };
  projectId?: string;
}

/**
 * The events as a table (`e`), one row each in their order (`ordinality` from 1): an array
 * per column (the `columns` values, in `EVENT_COLUMNS` order), unnested.
 */
function eventsToAppend(columns: readonly string[]) {
  const [ids, types, occurredAts, actorUserIds, actorTokenIds, projectIds, data] = columns;
  return sql<{
    id: string;
    type: string;
    occurred_at: Date;
    actor_user_id: string | null;
    actor_token_id: string | null;
    project_id: string | null;
    data: EventData;
    ordinality: number;
  }>`(select * from unnest(
    ${ids}::uuid[],
    ${types}::text[],
    ${occurredAts}::timestamptz[],
    ${actorUserIds}::uuid[],
    ${actorTokenIds}::uuid[],
    ${projectIds}::uuid[],
    ${data}::jsonb[]
  ) with ordinality as u(id, type, occurred_at, actor_user_id, actor_token_id, project_id, data, ordinality))`;
}

/** The arrays `eventsToAppend` unnests, column by column. */
function eventColumns(events: readonly EventRow[]): unknown[] {
  return [
    events.map((event) => event.id),
    events.map((event) => event.type),
    events.map((event) => event.occurredAt),
    events.map((event) => event.actorUserId),
    events.map((event) => event.actorTokenId),
    events.map((event) => event.projectId),
    events.map((event) => JSON.stringify(event.data)),
  ];
}
const EVENT_COLUMNS = 7;

/** The events an append statement numbered and inserted: its CTE `appended`, which its steps read. */
export interface AppendedEvents {
  appended: Pick<
    Database['events'],
    'id' | 'seq' | 'type' | 'occurred_at' | 'actor_user_id' | 'actor_token_id' | 'project_id' | 'data'
  >;
}

/**
 * More work of an append statement with its numbered events (`appended`): a data-modifying
 * statement, which PostgreSQL runs to its end as a CTE whether or not anything reads it.
 * It commits with the events, and costs the writer no round trip of its own.
 */
export type AppendStep = (db: QueryCreator<Database & AppendedEvents>, tenantId: string) => OperationNodeSource;

/**
 * An `appended` event (`a`) as JSON, field for field as the feed shows it (`EventDto.from`):
 * for steps that send it on.
 */
export function appendedEventJson(): RawBuilder<Record<string, unknown>> {
  return sql`jsonb_build_object(
    'id', a.id,
    'seq', a.seq,
    'type', a.type,
    'occurredAt', ${isoTimestamp(sql`a.occurred_at`)},
    'actor', jsonb_build_object('userId', a.actor_user_id)
      || case when a.actor_token_id is null then '{}'::jsonb else jsonb_build_object('tokenId', a.actor_token_id) end,
    'projectId', a.project_id,
    'data', a.data
  )`;
}

/** A `timestamptz` as JavaScript's `Date.prototype.toISOString` writes it (UTC, milliseconds). */
export function isoTimestamp(value: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`to_char(${value} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * The append statement for a set of steps, built and compiled once (`precompiled`): Kysely
 * building and compiling it at every commit was a tenth of a task PATCH's CPU. One statement
 * (one round trip, as the writer holds its locks): raise the counter, notify, insert the
 * events numbered from the counter's new value, and run the steps. Its values: the tenant,
 * the number of events, then `eventColumns`.
 */
function buildAppendStatement(steps: readonly AppendStep[]) {
  return precompiled<{ id: string; seq: string }>(2 + EVENT_COLUMNS, (db, tenantId = '', count = '', ...columns) => {
    const howMany = sql<number>`${count}::int`;
    const appending = db
      .with('counter', (db) =>
        db
          .insertInto('event_counters')
          .values({ tenant_id: tenantId, last_seq: howMany })
          .onConflict((conflict) =>
            conflict
              .column('tenant_id')
              .doUpdateSet((eb) => ({ last_seq: eb('event_counters.last_seq', '+', howMany) })),
          )
          .returning((eb) => [
            'last_seq',
            eb
              .fn('pg_notify', [sql.lit(EVENTS_CHANNEL), sql<string>`${tenantId} || ':' || ${eb.ref('last_seq')}`])
              .as('notified'),
          ]),
      )
      .with('appended', (db) =>
        db
          .insertInto('events')
          .columns([
            'id',
            'tenant_id',
            'seq',
            'type',
            'occurred_at',
            'actor_user_id',
            'actor_token_id',
            'project_id',
            'data',
          ])
          .expression((db) =>
            db
              .selectFrom(['counter', eventsToAppend(columns).as('e')])
              .select((eb) => [
                'e.id',
                eb.val(tenantId).as('tenant_id'),
                sql<number>`${eb.ref('counter.last_seq')} - ${howMany} + ${eb.ref('e.ordinality')}`.as('seq'),
                'e.type',
                'e.occurred_at',
                'e.actor_user_id',
                'e.actor_token_id',
                'e.project_id',
                'e.data',
              ]),
          )
          .returning(['id', 'seq', 'type', 'occurred_at', 'actor_user_id', 'actor_token_id', 'project_id', 'data']),
      );
    const withSteps = steps.reduce(
      (query, step, index) =>
        query.with(`step_${index}`, (db) => sql<Record<string, unknown>>`(${step(db, tenantId)})`),
      appending,
    );
    return withSteps.selectFrom('appended').select(['id', 'seq']);
  });
}

/** The compiled append of each list of steps (the event log's, fixed once its modules are up). */
const appendStatements = new WeakMap<
  readonly AppendStep[],
  { count: number; run: ReturnType<typeof buildAppendStatement> }
>();
function appendStatement(steps: readonly AppendStep[]): ReturnType<typeof buildAppendStatement> {
  const known = appendStatements.get(steps);
  if (known?.count === steps.length) return known.run;
  const run = buildAppendStatement(steps);
  // Parsing and planning it took longer than running it.
  sendAsNamedStatement(run.sql);
  appendStatements.set(steps, { count: steps.length, run });
  return run;
}

/** The event log's statements: every one names the tenant. */
export class EventRepository extends SqlRepository<TenantEvent> {
  /**
   * Numbers `events` after the tenant's last ones and appends them. The counter row stays
   * locked until the transaction ends, so numbers follow commit order; the notification
   * (delivered at commit, dropped at rollback) wakes the streams of every instance.
   * `steps` run in the same statement, with the numbered events.
   * Sent ahead (`sendAhead`): the transaction's COMMIT follows on the wire without waiting
   * for the answer, so the counter row is held for the statement and the commit only, not
   * for a round trip through a busy app. The returned `appended` settles with the answer.
   */
  async append(
    tenantId: string,
    events: readonly EventRow[],
    steps: readonly AppendStep[],
  ): Promise<{ appended: Promise<unknown> }> {
    const statement = appendStatement(steps);
    const { answer } = await sendAhead(
      this.sql(),
      statement.withValues([tenantId, events.length, ...eventColumns(events)]),
    );
    return { appended: answer };
  }

  /** The tenant's last seq and the last seq retention deleted (0 and 0 before its first event). */
  async counter(tenantId: string): Promise<{ lastSeq: number; purgedThrough: number }> {
    const row = await this.sql()
      .selectFrom('event_counters')
      .where('tenant_id', '=', tenantId)
      .select(['last_seq', 'purged_through'])
      .executeTakeFirst();
    return { lastSeq: Number(row?.last_seq ?? 0), purgedThrough: Number(row?.purged_through ?? 0) };
  }

  /**
   * Deletes up to `limit` events older than `before` (across tenants: housekeeping), by
   * their UUIDv7 ids, which start with their time; moves each tenant's `purgedThrough` to
   * the last seq deleted. Returns how many went.
   */
  async purgeOlderThan(before: Date, limit: number): Promise<number> {
    const hex = before.getTime().toString(16).padStart(12, '0');
    const firstIdAfter = `${hex.slice(0, 8)}-${hex.slice(8)}-0000-0000-000000000000`;
    const deleted = await this.sql()
      .deleteFrom('events')
      .where('id', 'in', (db) =>
        db
          .selectFrom('events')
          .where('id', '<', firstIdAfter)
          .orderBy('id')
          .limit(limit)
          .select('id')
          .forUpdate()
          .skipLocked(),
      )
      .returning(['tenant_id', 'seq'])
      .execute();
    const lastByTenant = new Map<string, number>();
    for (const { tenant_id: tenantId, seq } of deleted) {
      lastByTenant.set(tenantId, Math.max(lastByTenant.get(tenantId) ?? 0, Number(seq)));
    }
    for (const [tenantId, seq] of [...lastByTenant].sort(([a], [b]) => (a < b ? -1 : 1))) {
      await this.sql()
        .updateTable('event_counters')
        .where('tenant_id', '=', tenantId)
        .set((eb) => ({ purged_through: eb.fn<number>('greatest', [eb.ref('purged_through'), eb.val(seq)]) }))
        .execute();
    }
    return deleted.length;
  }

  /** Up to `limit` events after `filter.after` and at most `through`, oldest first. */
  async read(tenantId: string, filter: EventFilter, through: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.sql()
      .selectFrom('events')
      .where('tenant_id', '=', tenantId)
      .where('seq', '>', filter.after)
      .where('seq', '<=', through)
      .$if(filter.projectId !== undefined, (query) => query.where('project_id', '=', filter.projectId ?? null))
      .$if(filter.types !== undefined, (query) =>
        query.where((eb) =>
          eb.or([
            ...(filter.types?.exact.length ? [eb('type', 'in', filter.types.exact)] : []),
            ...(filter.types?.entities.length
              ? [eb(eb.fn<string>('split_part', [eb.ref('type'), eb.val('.'), eb.val(1)]), 'in', filter.types.entities)]
              : []),
          ]),
        ),
      )
      .orderBy('seq')
      .limit(limit)
      .select(['id', 'seq', 'type', 'occurred_at', 'actor_user_id', 'actor_token_id', 'project_id', 'data'])
      .execute();
    return rows.map((row) => ({
      id: row.id,
      seq: Number(row.seq),
      type: row.type,
      occurredAt: new Date(row.occurred_at),
      actorUserId: row.actor_user_id,
      actorTokenId: row.actor_token_id,
      projectId: row.project_id,
      data: row.data,
    }));
  }
}
