import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoNestLogger, PinoLogger } from 'nestjs-pino';
import { createApp } from './app.factory.js';
import { resolveLocalDefaults, type ResolvedRuntime } from './bootstrap/local-defaults.js';
import { loggerParams } from './common/logging/logger-options.js';
import { loadConfig } from './config/configuration.js';

const logger = new Logger('Bootstrap');
const databaseLogger = new Logger('EmbeddedPostgres');

let runtime: ResolvedRuntime | undefined;
let app: NestFastifyApplication | undefined;

async function start(): Promise<void> {
  const loaded = loadConfig(process.env);
  // What is logged before the app exists (the embedded PostgreSQL's start) goes through the
  // app's own pino logger too: one format from the first line on.
  const params = loggerParams(loaded);
  Logger.overrideLogger(new PinoNestLogger(new PinoLogger(params), params));
  runtime = await resolveLocalDefaults(loaded, databaseLogger);
  const { config } = runtime;
  app = await createApp(config, runtime.database);
  await app.listen({ host: config.http.host, port: config.http.port });
  const base = (await app.getUrl()).replace('[::1]', 'localhost').replace('0.0.0.0', 'localhost');
  logger.log(`Yello API listening at ${base}/api/v1 (Swagger UI: ${base}/docs)`);
}

/** Closes what was started, newest first: the app drains its requests before the database stops. */
async function stopStarted(): Promise<void> {
  await app?.close();
  if (runtime?.database) logger.log('Requests drained; stopping the embedded PostgreSQL');
  await runtime?.stop();
}

// Registered before anything starts, so a signal during start-up (or a failed start)
// never leaves the embedded PostgreSQL running behind us.
const starting = start();
let stopping = false;

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.log(`${signal} received: finishing in-flight requests`);
  // The drain proper starts once the listener closes, after the readiness delay.
  const http = runtime?.config.http;
  const timeoutMs = (http?.shutdownDelayMs ?? 0) + (http?.shutdownTimeoutMs ?? 10_000);
  setTimeout(() => {
    logger.error('Shutdown timed out');
    process.exit(1);
  }, timeoutMs).unref();
  await starting.catch(() => undefined);
  await stopStarted();
  logger.log('Shut down cleanly');
  process.exit(0);
}

process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGINT', (signal) => void shutdown(signal));

starting.catch(async (error: unknown) => {
  logger.error(error instanceof Error ? error.message : error);
  await stopStarted().catch(() => undefined);
  process.exit(1);
});
