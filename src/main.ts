import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { resolveLocalDefaults } from './bootstrap/local-defaults.js';
import { loadConfig } from './config/configuration.js';

const logger = new Logger('Bootstrap');

async function bootstrap(): Promise<void> {
  const runtime = await resolveLocalDefaults(loadConfig(process.env), (message) => logger.log(message));
  const { config } = runtime;
  const app = await createApp(config);
  await app.listen({ host: config.http.host, port: config.http.port });

  const base = (await app.getUrl()).replace('[::1]', 'localhost').replace('0.0.0.0', 'localhost');
  logger.log(`Yello API listening at ${base}/api/v1 (Swagger UI: ${base}/docs)`);

  let closing = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received: finishing in-flight requests`);
    const deadline = setTimeout(() => {
      logger.error('Shutdown timed out');
      process.exit(1);
    }, config.http.shutdownTimeoutMs);
    deadline.unref();
    await app.close(); // stops accepting, drains requests, closes the ORM
    await runtime.stop();
    logger.log('Shut down cleanly');
    process.exit(0);
  };
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
}

bootstrap().catch((error: unknown) => {
  logger.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
