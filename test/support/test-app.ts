import type { MikroORM } from '@mikro-orm/postgresql';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import type { AppConfig } from '../../src/config/configuration.js';
import { built, workerSupport, type WorkerSupportModules } from './built.js';

export interface TestApp {
  app: NestFastifyApplication;
  /** The app's ORM, for a spec's own queries (its classes are the app's: see `built.ts`). */
  orm: MikroORM;
  config: AppConfig;
  /** Where the app listens (127.0.0.1, a port of its own), for clients other than `http`. */
  baseUrl: string;
  /** Supertest on `baseUrl`; every response is checked against `openapi.json`. */
  http: TestAgent;
  close(): Promise<void>;
}

/** Settings that keep the suite fast; a test that checks a default overrides them. */
const TEST_ENVIRONMENT = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  JWT_SECRET: 'test-secret-with-at-least-256-bits-of-entropy!',
  BCRYPT_COST: '4',
  MIGRATE_ON_START: 'false',
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
  RATE_LIMIT_LOGIN_IP_PER_MINUTE: '100000',
  RATE_LIMIT_LOGIN_EMAIL_PER_MINUTE: '100001',
  RATE_LIMIT_REFRESH_PER_MINUTE: '100000',
  RATE_LIMIT_INVALID_TOKENS_PER_MINUTE: '100000',
  RATE_LIMIT_PER_MINUTE: '100000',
  // Tests register users in parallel; the hashing limits have their own spec.
  PASSWORD_HASH_QUEUE: '1000',
  // Mails queued by registrations stay queued: the mail specs run a job runner (and an SMTP server).
  JOB_CONCURRENCY: '0',
  // The local outbox, should a runner write to it: never the repository's `.data/`.
  DATA_DIR: path.join(tmpdir(), `yello-test-data-${process.pid}`),
};

export function testServerUrl(): string {
  const url = process.env.YELLO_TEST_SERVER_URL;
  if (!url) throw new Error('Run the tests through Jest: its global setup provides the database');
  return url;
}

/**
 * Supertest on `baseUrl`, each response checked against the committed OpenAPI document
 * before the test's own assertions: an exchange the document does not describe fails
 * the test that made it. Requests may be anything (tests probe bad input on purpose).
 * The checker is the worker's (its validators compile once per worker, not per file, and a
 * spec file does not load ajv); the error is thrown here, in the spec's realm, where supertest
 * recognises it as a failure.
 */
function conformingAgent(
  baseUrl: string,
  { committedConformance, describeViolations, HTTP_METHODS }: WorkerSupportModules['./openapi-conformance.ts'],
): {
  agent: TestAgent;
  tally: () => void;
} {
  const agent = request(baseUrl);
  const conformance = committedConformance();
  let checked = 0;
  for (const method of HTTP_METHODS) {
    const open = agent[method].bind(agent);
    agent[method] = (url: string) =>
      open(url).expect((response) => {
        checked++;
        const violations = conformance.violations(method, url, response);
        if (violations.length > 0) throw new Error(describeViolations(violations));
      });
  }
  agent.del = agent.delete.bind(agent);
  // `CONFORMANCE_TALLY=file npm test` appends each app's count of checked exchanges.
  const tally = () => process.env.CONFORMANCE_TALLY && appendFileSync(process.env.CONFORMANCE_TALLY, `${checked}\n`);
  return { agent, tally };
}

/**
 * The real application, built (same factory as `server.ts`, see `built.ts`), on a database
 * of its own, cloned from the migrated template: test files never see each other's data.
 */
export async function createTestApp(environment: Record<string, string | undefined> = {}): Promise<TestApp> {
  const serverUrl = testServerUrl();
  const database = `yello_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const { databaseUrl, dropDatabase, ensureDatabase } = await built('./database/embedded-postgres.js');
  const [{ createApp }, { resolveLocalDefaults }, { loadConfig }, { MikroORM: AppOrm }, checker] = await Promise.all([
    built('./app.factory.js'),
    built('./bootstrap/local-defaults.js'),
    built('./config/configuration.js'),
    built('@mikro-orm/postgresql'),
    workerSupport('./openapi-conformance.ts'),
    ensureDatabase(serverUrl, database, process.env.YELLO_TEST_TEMPLATE),
  ]);
  const loaded = loadConfig({
    ...TEST_ENVIRONMENT,
    DATABASE_URL: databaseUrl(serverUrl, database),
    ...environment,
  });
  const silent = () => undefined; // DATABASE_URL is set: nothing is started, nothing to log
  const { config } = await resolveLocalDefaults(loaded, { debug: silent, log: silent, warn: silent, error: silent });
  const app = await createApp(config);
  // Listening once: supertest given the bare server listens and closes a port for every
  // request, which doubled a request's CPU time in the suite.
  await app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = await app.getUrl();
  const { agent, tally } = conformingAgent(baseUrl, checker);
  return {
    app,
    orm: app.get(AppOrm),
    config,
    baseUrl,
    http: agent,
    async close() {
      tally();
      await app.close();
      await dropDatabase(serverUrl, database);
    },
  };
}

/**
 * A test app for the enclosing `describe` (or file): started before its tests, closed
 * and its database dropped after them.
 */
export function useTestApp(environment: Record<string, string | undefined> = {}): Omit<TestApp, 'close'> {
  let current: TestApp | undefined;
  beforeAll(async () => {
    current = await createTestApp(environment);
  });
  afterAll(async () => {
    await current?.close();
  });
  const started = (): TestApp => {
    if (!current) throw new Error('The test app starts in beforeAll: use it inside tests and hooks');
    return current;
  };
  return {
    get app() {
      return started().app;
    },
    get orm() {
      return started().orm;
    },
    get config() {
      return started().config;
    },
    get baseUrl() {
      return started().baseUrl;
    },
    get http() {
      return started().http;
    },
  };
}
