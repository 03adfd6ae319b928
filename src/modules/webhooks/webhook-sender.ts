import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveTarget, type AddressPolicy } from './webhook-address.js';

/** An attempt that gets no complete answer within this long fails (Standard Webhooks suggests 15 s). */
export const DELIVERY_TIMEOUT_MS = 10_000;

export interface OutgoingWebhook {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** How an attempt went: the answer's status (none when there was no answer) and why it failed. */
export interface AttemptOutcome {
  responseStatus: number | null;
  retryAfter: string | null;
  durationMs: number;
  /** Null on a `2xx`. */
  error: string | null;
}

/**
 * POSTs one webhook. The host is resolved and checked here, at delivery time, and the
 * connection goes to the checked address (a DNS answer that changes between check and
 * connect is never used). Redirects are not followed (node:http never does): a `3xx` is
 * a failure like any other non-`2xx`.
 */
export async function sendWebhook(message: OutgoingWebhook, policy: AddressPolicy): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const url = new URL(message.url);
    const target = await resolveTarget(url.hostname, policy);
    const lookup: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [target]);
      else callback(null, target.address, target.family);
    };
    const client = url.protocol === 'https:' ? https : http;
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = client.request(url, {
        method: 'POST',
        headers: { ...message.headers, 'content-length': Buffer.byteLength(message.body) },
        lookup,
        // A connection of its own: a pooled one would skip the check of this attempt.
        agent: false,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      request.on('response', (incoming) => {
        // The answer's body is not kept; reading it to the end frees the connection.
        incoming.resume();
        incoming.on('end', () => resolve(incoming));
        incoming.on('error', reject);
      });
      request.on('error', reject);
      request.end(message.body);
    });
    const status = response.statusCode ?? 0;
    const retryAfter = response.headers['retry-after'] ?? null;
    const ok = status >= 200 && status < 300;
    return { responseStatus: status, retryAfter, durationMs: elapsed(), error: ok ? null : `HTTP ${status}` };
  } catch (error) {
    return { responseStatus: null, retryAfter: null, durationMs: elapsed(), error: describe(error) };
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 500);
  if (error.name === 'AbortError' || error.name === 'TimeoutError')
    return `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`;
  const code: unknown = Reflect.get(error, 'code');
  return (typeof code === 'string' ? `${code}: ${error.message}` : error.message).slice(0, 500);
}
