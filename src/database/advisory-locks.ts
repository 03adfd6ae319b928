import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { sql, type AliasedRawBuilder, type RawBuilder } from 'kysely';
import { sqlOf } from './typed-sql.js';

/**
 * Takes the transaction-level advisory lock (`lockClass`, hash of `name`) if it is free:
 * true when `em`'s transaction now holds it until it ends, false when another one does.
 */
export async function tryAdvisoryTransactionLock(
  em: SqlEntityManager,
  lockClass: number,
  name: string,
): Promise<boolean> {
  const row = await sqlOf(em)
    .selectNoFrom((eb) =>
      eb
        .fn<boolean>('pg_try_advisory_xact_lock', [eb.val(lockClass), eb.fn<number>('hashtext', [eb.val(name)])])
        .as('locked'),
    )
    .executeTakeFirst();
  return row?.locked === true;
}

/**
 * The board-column lock, as a column of the statement that takes it: a transaction-scoped
 * advisory lock on one status column of one project. Every write that gives a task a
 * position in a column takes it first (a create, in the statement that takes the task's
 * number; a move or status change, in the statement that locks the task), so no two writes
 * pick one key. One formula, so every taker locks the same key.
 */
export function boardColumnLock(
  projectId: RawBuilder<unknown>,
  status: RawBuilder<unknown>,
): AliasedRawBuilder<null, 'column_locked'> {
  return sql<null>`pg_advisory_xact_lock(hashtextextended(${projectId}::text || ':' || ${status}::text, 0))`.as(
    'column_locked',
  );
}

/** Takes the board-column lock (`boardColumnLock`) of a project's state `key` in a statement of its own. */
export async function boardColumnLockOf(em: SqlEntityManager, projectId: string, key: string): Promise<void> {
  await sqlOf(em)
    .selectNoFrom(boardColumnLock(sql`${projectId}::uuid`, sql`${key}`))
    .execute();
}

/**
 * The lock on a tenant's task relations, as a column of the statement that takes it: every
 * relation create takes it before its checks, so the two halves of a `blocks` cycle sent at
 * the same moment are checked one after the other, and two equal creates cannot both insert.
 */
export function taskRelationsLock(tenantId: string): AliasedRawBuilder<null, 'relations_locked'> {
  return sql<null>`pg_advisory_xact_lock(hashtextextended('task_relations:' || ${tenantId}::text, 0))`.as(
    'relations_locked',
  );
}
