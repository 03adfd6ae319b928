import type { z } from 'zod';

/**
 * A kind of background job: its name in the queue, the shape of its payload (checked again
 * when it runs: the row may have been written by another version of the app), and how
 * often it is tried before it is given up (graphile-worker waits `exp(attempt)` seconds,
 * capped, between tries).
 */
export interface JobDefinition<Payload> {
  name: string;
  payload: z.ZodType<Payload>;
  maxAttempts: number;
}

export function defineJob<Payload>(
  name: string,
  payload: z.ZodType<Payload>,
  maxAttempts = 10,
): JobDefinition<Payload> {
  return { name, payload, maxAttempts };
}
