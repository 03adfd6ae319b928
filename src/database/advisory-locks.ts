import type { SqlEntityManager } from '@mikro-orm/postgresql';
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
