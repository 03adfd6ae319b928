const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

/** The wait after each failed attempt (the last one repeats): 5 s, 30 s, 2 min, 10 min, 1 h, then every few hours. */
const DELAYS_MS = [
  5 * SECOND_MS,
  30 * SECOND_MS,
  2 * MINUTE_MS,
  10 * MINUTE_MS,
  HOUR_MS,
  2 * HOUR_MS,
  4 * HOUR_MS,
  6 * HOUR_MS,
];
/** A delivery is retried this long after it was created, then given up (and its endpoint disabled). */
export const RETRY_WINDOW_MS = 72 * HOUR_MS;
/** A `Retry-After` longer than this is taken as this. */
const MAX_RETRY_AFTER_MS = 6 * HOUR_MS;
/** Each delay varies by up to this fraction either way, so failed endpoints are not retried in lockstep. */
const JITTER = 0.2;

/**
 * When the attempt after failed attempt number `attempt` (from 1) is due, or null when the
 * retry window has closed: the scheduled delay with ±20 % jitter, or the endpoint's
 * `Retry-After` when that is longer (capped). `scale` shrinks every delay (tests only).
 */
export function nextAttemptAt(
  attempt: number,
  createdAt: Date,
  now: Date,
  retryAfter: string | null,
  scale: number,
): Date | null {
  const scheduled = DELAYS_MS[Math.min(attempt, DELAYS_MS.length) - 1] ?? DELAYS_MS[0] ?? 0;
  const jittered = scheduled * (1 + (Math.random() * 2 - 1) * JITTER);
  const asked = retryAfterMs(retryAfter, now);
  const delay = Math.max(jittered, Math.min(asked ?? 0, MAX_RETRY_AFTER_MS)) * scale;
  const due = new Date(now.getTime() + delay);
  return due.getTime() - createdAt.getTime() > RETRY_WINDOW_MS * scale ? null : due;
}

/** A `Retry-After` value (delay-seconds or an HTTP date) as milliseconds from `now`; null if absent or malformed. */
export function retryAfterMs(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * SECOND_MS;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now.getTime());
}
