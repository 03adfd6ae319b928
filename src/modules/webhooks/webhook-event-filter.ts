import { EVENT_TYPE_PATTERNS } from '../events/dto/event.dto.js';
import { EVENT_TYPES } from '../events/event-types.js';

/**
 * What a webhook may subscribe to: each `<entity>.*`, and each event type (an event matches
 * its type and its entity's pattern: `queueDeliveries`).
 */
export const WEBHOOK_EVENT_FILTERS: readonly string[] = [...EVENT_TYPE_PATTERNS, ...EVENT_TYPES];
