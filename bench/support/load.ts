import autocannon from 'autocannon';
import { median } from './stats.ts';

/** What one connection sends, request after request. */
export interface ClientPlan {
  method: 'GET' | 'POST' | 'PATCH';
  /** Path and query, from the server's root. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Per-request changes (the next `If-Match`, body, or another request of a mix), computed just before it is sent. */
  next?: () => { method?: ClientPlan['method']; path?: string; headers?: Record<string, string>; body?: string };
  /** Sees each response's status and headers (names lower-case), e.g. to keep the last `ETag`. */
  onResponse?: (status: number, headers: Record<string, string>) => void;
}

export interface LoadOptions {
  /** `http://127.0.0.1:port` */
  base: string;
  connections: number;
  seconds: number;
  /** The plan of connection `index` (0-based). */
  client: (index: number) => ClientPlan;
  /** Requests per second over all connections (default: as fast as answers come). */
  overallRate?: number;
  /** Sees every response's status and latency (ms) as it comes, and every request error. */
  onEach?: (status: number, latencyMs: number) => void;
  onError?: () => void;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  ok: number;
  /** Non-2xx responses plus connection errors and timeouts: any of them spoils the run. */
  bad: number;
  /** `401×12, 500×3, errors×1` when something went wrong. */
  badDetail: string;
}

function lowerCaseKeys(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name.toLowerCase(),
      Array.isArray(value) ? value.join(', ') : (value ?? ''),
    ]),
  );
}

/** One autocannon run against 127.0.0.1. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  let nextClient = 0;
  const settings: autocannon.Options = {
    url: options.base,
    connections: options.connections,
    duration: options.seconds,
    overallRate: options.overallRate,
    setupClient: (client) => {
      const plan = options.client(nextClient++);
      const request: autocannon.Request = {
        method: plan.method,
        path: plan.path,
        headers: plan.headers,
        body: plan.body,
      };
      const { next, onResponse } = plan;
      if (next) {
        request.setupRequest = (built) => {
          const changes = next();
          return {
            ...built,
            method: changes.method ?? plan.method,
            path: changes.path ?? plan.path,
            headers: { ...plan.headers, ...changes.headers },
            body: changes.body ?? plan.body,
          };
        };
      }
      if (onResponse) {
        request.onResponse = (status, _body, _context, headers) => onResponse(status, lowerCaseKeys(headers ?? {}));
      }
      client.setRequests([request]);
    },
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(settings, (error: unknown, done: autocannon.Result) =>
      error ? reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error })) : resolve(done),
    );
    const { onEach, onError } = options;
    if (onEach) instance.on('response', (_client, status, _bytes, latency) => onEach(status, latency));
    if (onError) instance.on('reqError', () => onError());
  });
  const detail = Object.entries(result.statusCodeStats ?? {})
    .filter(([status]) => !status.startsWith('2'))
    .map(([status, stats]) => `${status}×${stats.count ?? 0}`);
  if (result.errors > 0) detail.push(`connection errors×${result.errors} (timeouts×${result.timeouts})`);
  return {
    requestsPerSecond: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    bad: result.non2xx + result.errors,
    badDetail: detail.join(', '),
  };
}

/**
 * Runs of one route as one result: the median of each figure (a 2-core machine's noise moves
 * single runs by a third), and every failed response of every run, summed, not averaged away.
 */
export function medianRun(runs: readonly LoadResult[]): LoadResult {
  return {
    requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
    p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)),
    ok: runs.reduce((sum, run) => sum + run.ok, 0),
    bad: runs.reduce((sum, run) => sum + run.bad, 0),
    badDetail: runs
      .map((run) => run.badDetail)
      .filter(Boolean)
      .join('; '),
  };
}
