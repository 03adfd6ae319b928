import type { Test } from 'supertest';

/** Whether `path` is the event stream, whose successful answer never ends. */
export const isEventStream = (path: string): boolean => (path.split('?')[0] ?? '').endsWith('/events/stream');

/**
 * For requests to the event stream: the answer is complete once its status and headers
 * are in (a stream that opened hangs up at once); other requests as they are.
 */
export function hangUpOnEventStream(request: Test, path: string): Test {
  if (!isEventStream(path)) return request;
  return request.buffer(true).parse((response, done) => {
    // Node's parsers get the IncomingMessage itself; superagent's types only promise less.
    if ('destroy' in response && typeof response.destroy === 'function') response.destroy();
    done(null, undefined);
  });
}
