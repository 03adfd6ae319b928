import { DiscoveryService } from '@nestjs/core';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** Ended sessions and settled invitations stay this long for the record, then go. */
export const RETENTION_MS = 30 * DAY_MS;

/**
 * A module's own clean-up of rows nothing can use any more: mark the provider with
 * `@Purger()`, and `HousekeepingService` runs it hourly. Returns how many rows went, by kind.
 */
export interface Purger {
  purge(now: Date): Promise<Record<string, number>>;
}

export const Purger = DiscoveryService.createDecorator<undefined>();

export function isPurger(value: unknown): value is Purger {
  return typeof value === 'object' && value !== null && 'purge' in value && typeof value.purge === 'function';
}
