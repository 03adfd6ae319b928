import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  /** Access tokens, spread over the connections round-robin (one user per connection). */
  tokens: readonly string[];
  connections: number;
  seconds: number;
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

/** One autocannon run against 127.0.0.1. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  let nextClient = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    setupClient: (client) => {
      const token = options.tokens[nextClient++ % options.tokens.length];
      client.setHeaders({ authorization: `Bearer ${token}` });
    },
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
