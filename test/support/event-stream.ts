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

/** An event of the feed, as the tests look at it. */
export interface FeedEvent {
  id: string;
  seq: number;
  type: string;
  projectId: string | null;
  actor: { userId: string | null };
  data: Record<string, unknown> & {
    task?: { id: string; title: string };
    changes?: Record<string, { from: unknown; to: unknown }>;
  };
}

/** Reads Server-Sent Events from a response body as they arrive. */
export async function* serverSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<{ id?: string; event?: string; data?: FeedEvent }> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const fields = Object.fromEntries(
        block
          .split('\n')
          .filter((line) => line !== '' && !line.startsWith(':'))
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      if (fields.data !== undefined) yield { id: fields.id, event: fields.event, data: JSON.parse(fields.data) };
    }
  }
}
