import { createRequire } from 'node:module';
import type { Params } from 'nestjs-pino';
import type { StdSerializedResults } from 'pino-http';
import type { LoadedConfig } from '../../config/configuration.js';
import { API_PREFIX, UNPREFIXED_ROUTES } from '../http/resource-headers.js';

/** Request headers that carry credentials: logged as `[redacted]`. */
const SECRET_HEADERS = ['authorization', 'cookie'] as const;

/**
 * A request as its log lines show it: its id, method, URL, headers and client address, with
 * credentials replaced. No line carries a request or response body, where passwords and
 * tokens travel. Written out rather than pino's `redact`, which clones the request's
 * headers path by path on every line: that and the response's headers were a sixth of a
 * read's CPU (docs/benchmarks.md).
 */
function loggedRequest(request: StdSerializedResults['req']): Record<string, unknown> {
  const headers: Record<string, string> = { ...request.headers };
  for (const name of SECRET_HEADERS) if (name in headers) headers[name] = '[redacted]';
  const { id, method, url, remoteAddress, remotePort } = request;
  return { id, method, url, headers, remoteAddress, remotePort };
}

/**
 * A response as the access line shows it: its status. Its headers are left out: helmet's
 * are the same on every line, and what varies (`ETag`, `RateLimit-*`) says nothing an
 * operator reads the access log for.
 */
function loggedResponse(response: StdSerializedResults['res']): Record<string, unknown> {
  return { statusCode: response.statusCode };
}

/** `pino-pretty` is a devDependency: the production image has none. */
function prettyPrinterInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * Nest prints each controller's path with the global prefix even when all its routes are
 * excluded from it (`HealthController {/api/v1/health}`, the probes being at `/health/…`):
 * print the path they are served at. The `Mapped {…}` lines below it were right already.
 */
export function truthfulControllerLine(message: string): string {
  const line = /^(\w+) \{\/(.*)\}:$/.exec(message);
  const path = line?.[2]?.startsWith(`${API_PREFIX}/`) ? line[2].slice(API_PREFIX.length + 1) : undefined;
  if (!line || path === undefined) return message;
  const unprefixed = UNPREFIXED_ROUTES.some((route) => route === path || route.startsWith(`${path}/`));
  return unprefixed ? `${line[1]} {/${path}}:` : message;
}

const isContext = (value: unknown, context: string): boolean =>
  typeof value === 'object' && value !== null && Reflect.get(value, 'context') === context;

/**
 * The app's logger. JSON lines, one per event, every line of a request with its `reqId`
 * (the `X-Request-Id`); human-readable (`pino-pretty`) only in development on a terminal,
 * so piped or collected output stays JSON.
 */
export function loggerParams({ environment, log }: Pick<LoadedConfig, 'environment' | 'log'>): Params {
  const pretty = environment === 'development' && process.stdout.isTTY && prettyPrinterInstalled();
  return {
    pinoHttp: {
      level: log.level,
      transport: pretty
        ? {
            target: 'pino-pretty',
            options: {
              translateTime: 'SYS:HH:MM:ss.l',
              ignore: 'pid,hostname,context',
              messageFormat: '{if context}[{context}] {end}{msg}',
            },
          }
        : undefined,
      // The request id is Fastify's (see `requestIdFor`), which pino-http picks up.
      serializers: { req: loggedRequest, res: loggedResponse },
      hooks: {
        logMethod(args, method) {
          if (isContext(args[0], 'RoutesResolver') && typeof args[1] === 'string') {
            args[1] = truthfulControllerLine(args[1]);
          }
          method.apply(this, args);
        },
      },
      // A 503 is the database being unavailable (or the app not ready): `DatabaseOutages`
      // logs that once with a count, so its access line is plain, without a stack.
      customLogLevel: (_req, res, error) =>
        error || (res.statusCode >= 500 && res.statusCode !== 503) ? 'error' : 'info',
      customErrorObject: (_req, res, error, value: Record<string, unknown>) =>
        res.statusCode === 503 && error.message === 'failed with status code 503'
          ? { ...value, err: undefined }
          : value,
      // Probes would drown the log. middie rewrites `url` relative to a middleware's mount
      // path (the health routes are mounted apart, outside the API prefix): read `originalUrl`.
      autoLogging: {
        ignore: (req) => {
          const url: unknown = 'originalUrl' in req ? req.originalUrl : req.url;
          return typeof url === 'string' && url.startsWith('/health/');
        },
      },
    },
  };
}
