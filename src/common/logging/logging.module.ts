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
          customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
          autoLogging: { ignore: (req) => req.url?.startsWith('/health/') ?? false },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
