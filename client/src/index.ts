import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };

/** A schema of the API by name: `Schema<'Task'>`, `Schema<'ProblemDetails'>`. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];

/** The body of every error answer (RFC 9457 problem details). */
export type Problem = Schema<'ProblemDetails'>;

/** The access token or an API token (`yel_…`), or a function that returns the current one (asked before every request). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

export interface YelloClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** Sent as `Authorization: Bearer <token>`; also settable later with `setToken`. */
  token?: TokenSource;
}

export type YelloClient = Client<paths> & {
  /** Sends this bearer token from now on; `undefined` makes later requests anonymous. */
  setToken(token: TokenSource | undefined): void;
};

/**
 * A typed client of the Yello API: `client.GET('/api/v1/tenants/{tenantId}/tasks', …)`,
 * with paths, parameters, bodies and answers checked by the compiler against
 * `openapi.json`. Every call resolves to `{ data, error, response }`: `data` on a 2xx,
 * `error` (a `Problem`) otherwise.
 *
 * @param baseUrl Where the API is served, without `/api/v1`: `http://127.0.0.1:3000`.
 */
export function createYelloClient(baseUrl: string, options: YelloClientOptions = {}): YelloClient {
  const { token: initialToken, ...clientOptions } = options;
  let token = initialToken;
  const client = createClient<paths>({ ...clientOptions, baseUrl });
  const bearer: Middleware = {
    async onRequest({ request }) {
      const value = typeof token === 'function' ? await token() : token;
      if (value) request.headers.set('Authorization', `Bearer ${value}`);
      return request;
    },
  };
  client.use(bearer);
  return Object.assign(client, {
    setToken(next: TokenSource | undefined): void {
      token = next;
    },
  });
}
