import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';

export interface DatabaseConnection {
  url: string;
  poolMax: number;
  /** Waiting for a connection (new or from the pool) longer than this fails the request. */
  connectTimeoutMs?: number;
  /** A statement running longer is cancelled by the server; the client gives up a second later. */
  statementTimeoutMs?: number;
  /** A statement waiting longer for a lock is cancelled (55P03), so lock queues cannot hold the pool. */
  lockTimeoutMs?: number;
}

/**
 * Settings shared by the app, the MikroORM CLI and the test harness. Migrations are
 * the only way the schema changes (never `schema:update` outside tests).
 */
export function mikroOrmOptions(connection: DatabaseConnection, overrides: Options = {}): Options {
  return defineConfig({
    clientUrl: connection.url,
    pool: { min: 0, max: connection.poolMax },
    // Fail fast when PostgreSQL is down or hangs (503 to the client) instead of queueing forever.
    driverOptions: {
      connectionTimeoutMillis: connection.connectTimeoutMs,
      statement_timeout: connection.statementTimeoutMs,
      lock_timeout: connection.lockTimeoutMs,
      query_timeout: connection.statementTimeoutMs === undefined ? undefined : connection.statementTimeoutMs + 1_000,
    },
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    forceUtcTimezone: true,
    // Loading a task would otherwise join its project and parent only to apply their tenant
    // filter: redundant, since composite (tenant_id, …) foreign keys keep every reference
    // inside its row's tenant.
    autoJoinRefsForFilters: false,
    // Owned by hand-written migration SQL: the full-text column of tasks. (The composite
    // tenant foreign keys of that migration show up in a generated diff as drops: delete
    // those lines from a new migration.)
    schemaGenerator: { skipColumns: { tasks: ['search'] } },
    migrations: {
      path: 'dist/database/migrations',
      pathTs: 'src/database/migrations',
      glob: '!(*.d).{js,ts}',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    ...overrides,
  });
}
