import { LockMode, type EntityClass, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DiscoveryService } from '@nestjs/core';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** Ended sessions and settled invitations stay this long for the record, then go. */
export const RETENTION_MS = 30 * DAY_MS;

/**
 * Deletes one batch, at most `limit` rows, inside the transaction of `em`; returns how
 * many went. A batch picks its rows `FOR UPDATE SKIP LOCKED`, so it never waits on a row
 * a request is writing (that row goes with a later run).
 */
export type PurgeBatch = (em: EntityManager, limit: number) => Promise<number>;

/**
 * A module's own clean-up of rows nothing can use any more: mark the provider with
 * `@Purger()`, and `HousekeepingService` runs each of its jobs hourly, batch by batch,
 * on one instance at a time. Jobs are named by the kind of row they delete.
 */
export interface Purger {
  purgeJobs(now: Date): Record<string, PurgeBatch>;
}

export const Purger = DiscoveryService.createDecorator<undefined>();

export function isPurger(value: unknown): value is Purger {
  return typeof value === 'object' && value !== null && 'purgeJobs' in value && typeof value.purgeJobs === 'function';
}

/**
 * The usual batch: up to `limit` rows of `entity` matching `where`, skipping rows that
 * are locked, deleted by primary key. `allTenants` lifts the tenant filter (housekeeping
 * is the only writer of tenant data that spans tenants).
 */
export async function deleteBatch<T extends object>(
  em: EntityManager,
  entity: EntityClass<T>,
  where: FilterQuery<T>,
  limit: number,
  filters?: Record<string, boolean>,
): Promise<number> {
  const rows = await em
    .getRepository(entity)
    .find(where, { limit, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, filters });
  em.remove(rows);
  await em.flush();
  return rows.length;
}
