import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.module.js';

/** Where secrets could appear in a log line; pino replaces them before serialising. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.refreshToken',
  '*.accessToken',
  '*.token',
];

/** JSON logs through pino; every line of a request carries its `reqId` (the `X-Request-Id`). */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: ({ log }: AppConfig) => ({
        pinoHttp: {
          level: log.level,
          // The request id is Fastify's (see `requestIdFor`), which pino-http picks up.
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
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
      }),
    }),
  ],
})
export class LoggingModule {}
