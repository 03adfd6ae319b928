import { EVENT_TYPES } from '../events/event-types.js';

/** What a webhook may subscribe to: each event type, and each `<entity>.*`. */
export const WEBHOOK_EVENT_FILTERS: readonly string[] = [
  ...new Set(EVENT_TYPES.map((type) => `${type.slice(0, type.indexOf('.'))}.*`)),
  ...EVENT_TYPES,
];

/** Whether an event of `type` matches a webhook's `filters` (types and `entity.*` patterns). */
export function matchesFilters(filters: readonly string[], type: string): boolean {
  return filters.includes(type) || filters.includes(`${type.slice(0, type.indexOf('.'))}.*`);
}
