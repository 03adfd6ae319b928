import type { MikroORM } from '@mikro-orm/core';
import type pg from 'pg';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import {
  defineConfig,
  SqlEntityManager,
  SqlSchemaGenerator,
  type DatabaseSchema,
  type ForeignKey,
  type Options,
} from '@mikro-orm/postgresql';

export interface DatabaseConnection {
  url: string;
  poolMax: number;
  /** Waiting for a connection (new or from the pool) longer than this fails the request. */
  connectTimeoutMs?: number;
  /** A statement running longer is cancelled by the server; the client gives up a second later. */
  statementTimeoutMs?: number;
  /** A statement waiting longer for a lock is cancelled (55P03), so lock queues cannot hold the pool. */
  lockTimeoutMs?: number;
  /** PostgreSQL's `max_parallel_workers_per_gather` for the session; unset: the server's. */
  maxParallelWorkersPerGather?: number;
}

/**
 * Session settings sent in each connection's start-up packet (`pg`'s `options`): no extra
 * round trip, and a pooled connection has them from its first statement.
 *
 * The app runs short OLTP statements, so parallel query is off unless configured: when the
 * planner's estimate of a page is large (a `blocked=true` list of a big tenant probes a few
 * thousand index entries), it plans parallel workers whose start costs more than the walk
 * they would share, and the workers come out of one budget per server (`max_parallel_workers`)
 * that every connection of every instance would compete for under load.
 */
export function startupOptions(
  connection: Pick<DatabaseConnection, 'maxParallelWorkersPerGather'>,
): string | undefined {
  const workers = connection.maxParallelWorkersPerGather;
  return workers === undefined ? undefined : `-c max_parallel_workers_per_gather=${workers}`;
}

/**
 * A foreign key over several columns to a unique key of the referenced table, as the
 * tenant-inclusive ones (`(tenant_id, project_id)` to `projects (tenant_id, id)`): MikroORM
 * derives a relation's foreign key from the relation, and a relation to an entity whose
 * primary key is `id` alone maps one column. The relations stay single-column (that is how
 * the code loads and writes them, with `createForeignKeyConstraint: false`); these keys are
 * declared beside them on the entity with `@CompositeForeignKeys` and added to the schema
 * MikroORM compares with the database (migrations, `migration:check`).
 */
export interface CompositeForeignKey {
  name: string;
  columns: string[];
  references: { table: string; columns: string[] };
  /**
   * `set null (column)` nulls only that column (PostgreSQL 15+): never the shared `tenant_id`.
   * Absent: PostgreSQL's default (`no action`), a referenced row cannot go while referenced.
   */
  deleteRule?: 'cascade' | `set null (${string})`;
}

const compositeForeignKeys = new WeakMap<object, readonly CompositeForeignKey[]>();

/** Declares an entity's composite foreign keys (see `CompositeForeignKey`). */
export function CompositeForeignKeys(...keys: CompositeForeignKey[]): ClassDecorator {
  return (entity) => {
    compositeForeignKeys.set(entity, keys);
  };
}

/** MikroORM's schema generator, with the entities' composite foreign keys in the target schema. */
class SchemaGenerator extends SqlSchemaGenerator {
  static override register(orm: MikroORM): void {
    orm.config.registerExtension('@mikro-orm/schema-generator', () => {
      if (!(orm.em instanceof SqlEntityManager)) throw new Error('The schema generator needs an SQL driver');
      return new SchemaGenerator(orm.em);
    });
  }

  override getTargetSchema(schema?: string, includeWildcardSchema?: boolean): DatabaseSchema {
    const target = super.getTargetSchema(schema, includeWildcardSchema);
    for (const meta of this.getOrderedMetadata(schema, includeWildcardSchema)) {
      const keys = compositeForeignKeys.get(meta.class);
      const table = target.getTable(meta.tableName);
      if (!keys || !table) continue;
      const qualified = (name: string) => (table.schema ? `${table.schema}.${name}` : name);
      const declared = keys.map((key): ForeignKey => ({
        constraintName: key.name,
        columnNames: key.columns,
        localTableName: table.getShortestName(false),
        referencedTableName: qualified(key.references.table),
        referencedColumnNames: key.references.columns,
        deleteRule: key.deleteRule,
      }));
      table.setForeignKeys({
        ...table.getForeignKeys(),
        ...Object.fromEntries(declared.map((key) => [key.constraintName, key])),
      });
    }
    return target;
  }
}

/** The settings of every `pg` pool of the app's database (MikroORM's for the CLI, `appDialect`'s for the app). */
export function poolSettings(connection: DatabaseConnection): pg.PoolConfig {
  return {
    max: connection.poolMax,
    // An idle connection is kept a minute (pg's default: 10 s): reconnecting after every
    // lull costs a SCRAM exchange, a new backend and its cold caches, in the app and in PostgreSQL.
    idleTimeoutMillis: 60_000,
    // Fail fast when PostgreSQL is down or hangs (503 to the client) instead of queueing forever.
    connectionTimeoutMillis: connection.connectTimeoutMs,
    statement_timeout: connection.statementTimeoutMs,
    lock_timeout: connection.lockTimeoutMs,
    options: startupOptions(connection),
    query_timeout: connection.statementTimeoutMs === undefined ? undefined : connection.statementTimeoutMs + 1_000,
    // Statements go out without waiting for the one before to be answered (`sendAhead`:
    // a transaction's COMMIT right behind its event append). Code that awaits each
    // statement, as all of it does, sees no difference; no query holds a portal open.
    pipeline: true,
  };
}

/**
 * Settings shared by the app, the MikroORM CLI and the test harness. Migrations are
 * the only way the schema changes (never `schema:update` outside tests).
 */
export function mikroOrmOptions(connection: DatabaseConnection, overrides: Options = {}): Options {
  return defineConfig({
    clientUrl: connection.url,
    // The app replaces it with its own pool (`DatabaseModule`, `appDialect`).
    driverOptions: poolSettings(connection),
    metadataProvider: ReflectMetadataProvider,
    extensions: [SchemaGenerator, Migrator],
    forceUtcTimezone: true,
    // Loading a task would otherwise join its project and parent only to apply their tenant
    // filter: redundant, since composite (tenant_id, …) foreign keys keep every reference
    // inside its row's tenant.
    autoJoinRefsForFilters: false,
    // The job queue's schema is graphile-worker's own (it installs and upgrades it itself).
    schemaGenerator: { ignoreSchema: ['graphile_worker'] },
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
