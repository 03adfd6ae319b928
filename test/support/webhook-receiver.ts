import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ReceivedWebhook {
  /** The request's path: give each webhook of a test a path of its own to tell them apart. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
}

/** A real HTTP endpoint on 127.0.0.1 that records every request and answers as told. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`: append a path. */
  url: string;
  received: ReceivedWebhook[];
  /** How to answer the next requests (default: 204); a promise holds the request open until it settles. */
  answer: (request: ReceivedWebhook) => Answer | Promise<Answer>;
  /** Waits until `count` requests satisfy `match` (all requests by default); returns them. */
  waitFor(count: number, match?: (request: ReceivedWebhook) => boolean, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const receiver: WebhookReceiver = {
    url: '',
    received,
    answer: () => ({ status: 204 }),
    async waitFor(count, match = () => true, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = received.filter(match);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) throw new Error(`Received ${matching.length} of ${count} webhooks`);
        await sleep(20);
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // requests still held open too
      }),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const webhook = {
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      received.push(webhook);
      void Promise.resolve(receiver.answer(webhook)).then(({ status, headers }) => {
        if (!response.destroyed) response.writeHead(status, headers).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The receiver has no port');
  receiver.url = `http://127.0.0.1:${address.port}`;
  return receiver;
}
