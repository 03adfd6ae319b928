import { availableParallelism } from 'node:os';
import { z } from 'zod';

const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

/**
 * `TRUST_PROXY` follows Fastify's `trustProxy`: `true`/`false`, or a comma list of the
 * addresses/CIDRs of the proxies whose `X-Forwarded-For` is believed.
 */
const trustProxy = z.string().transform((value): boolean | string[] => {
  if (value === 'true') return true;
  if (value === 'false' || value === '') return false;
  return value.split(',').map((item) => item.trim());
});

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(3_000),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  DATABASE_LOCK_TIMEOUT_MS: z.coerce.number().int().min(10).default(2_000),
  DATABASE_TRANSACTION_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
  DATABASE_MAX_PARALLEL_WORKERS_PER_GATHER: z.coerce.number().int().min(0).max(64).default(0),
  DATA_DIR: z.string().min(1).default('.data'),
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  MIGRATE_ON_START: booleanFlag.default(true),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters (256 bits)').optional(),
  JWT_ISSUER: z.string().min(1).default('yello'),
  JWT_AUDIENCE: z.string().min(1).default('yello-api'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(300).max(31_536_000).default(2_592_000),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  // Password hashes computed at once (default: half the cores, at least one) and waiting;
  // beyond both, sign-in answers 503 with Retry-After instead of starving every other request.
  PASSWORD_HASH_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(() => Math.max(1, Math.floor(availableParallelism() / 2))),
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).max(1000).default(4),
  INVITATION_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  RATE_LIMIT_AUTH_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_LOGIN_IP_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  RATE_LIMIT_LOGIN_EMAIL_PER_MINUTE: z.coerce.number().int().min(1).default(100),
  RATE_LIMIT_REFRESH_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  RATE_LIMIT_INVALID_TOKENS_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(60).default(20),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  CORS_ORIGINS: commaList.default([]),
  TRUST_PROXY: trustProxy.default(false),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(300_000).default(0),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).max(254).default('Yello <no-reply@yello.localhost>'),
  APP_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:3000'),
  REQUIRE_VERIFIED_EMAIL: booleanFlag.default(false),
  JOB_CONCURRENCY: z.coerce.number().int().min(0).max(16).default(2),
  JOB_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  // 32 bytes, base64 (44 characters) or hex (64): the AES-256-GCM key of stored webhook secrets.
  WEBHOOK_SECRET_KEY: z
    .string()
    .regex(
      /^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/,
      'WEBHOOK_SECRET_KEY must be 32 bytes: 64 hex digits or 44 base64 characters',
    )
    .optional(),
  // Multiplies every webhook retry delay: tests run three days of retries in seconds.
  WEBHOOK_RETRY_SCALE: z.coerce.number().positive().max(1).default(1),
  // How long an attempt holds its delivery: the time to recover an attempt whose process died.
  WEBHOOK_LEASE_MS: z.coerce.number().int().min(500).max(3_600_000).default(60_000),
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
});

function toAppConfig(env: z.output<typeof environmentSchema>) {
  return {
    environment: env.NODE_ENV,
    http: {
      host: env.HOST,
      port: env.PORT,
      corsOrigins: env.CORS_ORIGINS,
      trustProxy: env.TRUST_PROXY,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      /** After a shutdown signal: readiness 503 at once, the listener open this much longer. */
      shutdownDelayMs: env.SHUTDOWN_DELAY_MS,
    },
    log: { level: env.LOG_LEVEL },
    database: {
      /** Unset means "start the embedded PostgreSQL"; resolved before the app boots. */
      url: env.DATABASE_URL,
      poolMax: env.DATABASE_POOL_MAX,
      connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
      /** A statement waiting longer than this for a row lock gives up: 503 with `Retry-After`. */
      lockTimeoutMs: env.DATABASE_LOCK_TIMEOUT_MS,
      /** Reruns of a transaction that lost a race (deadlock, serialization failure) before a 503. */
      transactionRetries: env.DATABASE_TRANSACTION_RETRIES,
      /**
       * PostgreSQL's `max_parallel_workers_per_gather` on every app connection. 0: no parallel
       * query; a page of a list is a short index walk that workers only make slower to start.
       */
      maxParallelWorkersPerGather: env.DATABASE_MAX_PARALLEL_WORKERS_PER_GATHER,
      migrateOnStart: env.MIGRATE_ON_START,
    },
    localData: { dir: env.DATA_DIR, embeddedPostgresPort: env.EMBEDDED_POSTGRES_PORT },
    auth: {
      /** Unset outside production means "generate one and keep it in the data directory". */
      jwtSecret: env.JWT_SECRET,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
      bcryptCost: env.BCRYPT_COST,
      passwordHashConcurrency: env.PASSWORD_HASH_CONCURRENCY,
      passwordHashQueue: env.PASSWORD_HASH_QUEUE,
      refreshReuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
    },
    tenants: { invitationTtlDays: env.INVITATION_TTL_DAYS, requireVerifiedEmail: env.REQUIRE_VERIFIED_EMAIL },
    mail: {
      /** Unset: each mail is written to `<DATA_DIR>/outbox/` as an `.eml` file and its links logged. */
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM,
      /** Where the links in mails point (a client app's origin); never the request's Host. */
      appUrl: env.APP_URL.replace(/\/+$/, ''),
    },
    /** Background jobs (mails) this instance runs at once; 0: it only queues them, others run them. */
    jobs: {
      concurrency: env.JOB_CONCURRENCY,
      /** How often an idle runner looks for jobs due now (retries); new ones arrive by NOTIFY. */
      pollIntervalMs: env.JOB_POLL_INTERVAL_MS,
    },
    webhooks: {
      /** Unset: derived from the JWT secret (see `WebhookSecrets`). */
      secretKey: env.WEBHOOK_SECRET_KEY,
      retryScale: env.WEBHOOK_RETRY_SCALE,
      /**
       * How long an attempt holds its delivery (`leaseUntil`). An attempt whose process died
       * is made again once it has passed: the sweep looks every half of it.
       */
      leaseMs: env.WEBHOOK_LEASE_MS,
    },
    /** The tenant event log: events older than this are deleted, and a cursor before them is `410`. */
    events: { retentionDays: env.EVENT_RETENTION_DAYS },
    rateLimit: {
      /** Registrations per client IP and per email; failed logins per (email, client IP). */
      authPerMinute: env.RATE_LIMIT_AUTH_PER_MINUTE,
      loginIpPerMinute: env.RATE_LIMIT_LOGIN_IP_PER_MINUTE,
      loginEmailPerMinute: env.RATE_LIMIT_LOGIN_EMAIL_PER_MINUTE,
      refreshPerMinute: env.RATE_LIMIT_REFRESH_PER_MINUTE,
      invalidTokensPerMinute: env.RATE_LIMIT_INVALID_TOKENS_PER_MINUTE,
      perMinute: env.RATE_LIMIT_PER_MINUTE,
    },
  };
}

/** Configuration as read from the environment; database URL and JWT secret may still be open. */
export type LoadedConfig = ReturnType<typeof toAppConfig>;

/** Configuration the application runs with: every default resolved. */
export type AppConfig = LoadedConfig & {
  database: LoadedConfig['database'] & { url: string };
  auth: LoadedConfig['auth'] & { jwtSecret: string };
};

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/**
 * Reads and validates the environment once, at start-up. Nothing else reads
 * `process.env`: the result is handed to the Nest container (see `AppConfigModule`).
 */
export function loadConfig(env: Record<string, string | undefined>): LoadedConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigurationError(`Invalid configuration:\n${z.prettifyError(parsed.error)}`);
  }
  const config = toAppConfig(parsed.data);
  // Else one client, within its own per-email limit, could lock the owner out.
  if (config.rateLimit.loginEmailPerMinute <= config.rateLimit.authPerMinute) {
    throw new ConfigurationError('RATE_LIMIT_LOGIN_EMAIL_PER_MINUTE must be greater than RATE_LIMIT_AUTH_PER_MINUTE');
  }
  if (config.environment === 'production') {
    if (!config.auth.jwtSecret) {
      throw new ConfigurationError('JWT_SECRET is required when NODE_ENV=production');
    }
    // The embedded PostgreSQL is a development convenience, not installed in the image.
    if (!config.database.url) {
      throw new ConfigurationError('DATABASE_URL is required when NODE_ENV=production');
    }
    if (config.auth.bcryptCost < 12) {
      throw new ConfigurationError('BCRYPT_COST must be at least 12 when NODE_ENV=production');
    }
  }
  return config;
}
