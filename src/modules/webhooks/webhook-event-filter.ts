import { EVENT_TYPE_PATTERNS } from '../events/dto/event.dto.js';
import { EVENT_TYPES } from '../events/event-types.js';

/** What a webhook may subscribe to: each `<entity>.*`, and each event type. */
export const WEBHOOK_EVENT_FILTERS: readonly string[] = [...EVENT_TYPE_PATTERNS, ...EVENT_TYPES];

/** Whether an event of `type` matches a webhook's `filters` (types and `entity.*` patterns). */
export function matchesFilters(filters: readonly string[], type: string): boolean {
  return filters.includes(type) || filters.includes(`${type.slice(0, type.indexOf('.'))}.*`);
}
