import { Migrator } from '@mikro-orm/migrations';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Logger as WorkerLogger, runMigrations as migrateGraphileWorker } from 'graphile-worker';
import pg from 'pg';

/**
 * The key of the session-level advisory lock start-up migrations run under (one class of
 * Yello's advisory locks; housekeeping uses another). Any 64-bit number works, as long as
 * nothing else on the database takes it.
 */
const MIGRATION_LOCK = { class: 0x59454c4c, id: 1 }; // 'YELL'

export class SchemaNewerThanCode extends Error {
  override readonly name = 'SchemaNewerThanCode';

  constructor(readonly unknown: string[]) {
    super(
      `The database has ${unknown.length} executed migration(s) this build does not know ` +
        `(${unknown.join(', ')}): a newer version of Yello migrated it. Refusing to start, ` +
        'since this code may not understand that schema. Deploy the newer version (or a build ' +
        'that contains these migrations).',
    );
  }
}

/** MikroORM's migrator, plus what a start-up needs to know: the migrations this build has. */
class KnownMigrations extends Migrator {
  /**
   * This build's migrations against the database's executed ones, by reading alone: no
   * database or table is created (a new database has no migrations table: all pending), so
   * it needs no lock.
   */
  async compare(): Promise<{ unknown: string[]; pending: number }> {
    await this.resolvePaths();
    const known = new Set((await this.discoverMigrations()).map((migration) => migration.name));
    const storage = this.getStorage();
    const { tableName, schemaName } = storage.getTableName();
    const tableExists = await this.driver
      .getPlatform()
      .getSchemaHelper()
      ?.tableExists(this.driver.getConnection(), tableName, schemaName);
    const executed = new Set(tableExists ? await storage.executed() : []);
    return {
      unknown: [...executed].filter((name) => !known.has(name)),
      pending: [...known].filter((name) => !executed.has(name)).length,
    };
  }
}

export interface StartupMigration {
  /** Names of the migrations this instance applied (none when another instance had). */
  applied: string[];
  /** Whether another instance held the lock when this one asked for it. */
  waited: boolean;
}

/**
 * Brings the schema up to this build's migrations, safely with any number of instances
 * starting at once: MikroORM's migrator takes no lock, so the whole of it runs under a
 * PostgreSQL advisory lock held by a dedicated connection (not one of the pool, whose
 * connections come and go). The first instance migrates; the others wait on the lock,
 * then find nothing pending. If the process dies, its connection closes and PostgreSQL
 * releases the lock. An instance whose code is older than the schema refuses to start.
 */
export async function migrateOnStart(
  orm: MikroORM,
  url: string,
  onWait: () => void = () => undefined,
): Promise<StartupMigration> {
  // The usual start, of a build the database is migrated to already: decided by reading,
  // without the lock's own connection (about a tenth of a second of the start).
  const { unknown, pending } = await new KnownMigrations(orm.em).compare();
  if (unknown.length > 0) throw new SchemaNewerThanCode(unknown);
  if (pending === 0) return { applied: [], waited: false };

  const lockHolder = new pg.Client({ connectionString: url, application_name: 'yello-migrations' });
  // A connection lost while waiting fails the query below; the event itself needs no handling.
  lockHolder.on('error', () => undefined);
  await lockHolder.connect();
  try {
    const params = [MIGRATION_LOCK.class, MIGRATION_LOCK.id];
    const tried = await lockHolder.query<{ locked: boolean }>('select pg_try_advisory_lock($1, $2) as locked', params);
    const waited = tried.rows[0]?.locked !== true;
    if (waited) {
      onWait();
      await lockHolder.query('select pg_advisory_lock($1, $2)', params);
    }
    try {
      // Again under the lock: another instance may have migrated meanwhile, even to a newer build.
      const migrator = new KnownMigrations(orm.em);
      const locked = await migrator.compare();
      if (locked.unknown.length > 0) throw new SchemaNewerThanCode(locked.unknown);
      const applied = await migrator.up();
      return { applied: applied.map((migration) => migration.name), waited };
    } finally {
      await lockHolder.query('select pg_advisory_unlock($1, $2)', params);
    }
  } finally {
    await lockHolder.end();
  }
}

/** Without migrating (`MIGRATE_ON_START=false`): still refuse a schema newer than the code. */
export async function assertSchemaKnown(orm: MikroORM): Promise<void> {
  const { unknown } = await new KnownMigrations(orm.em).compare();
  if (unknown.length > 0) throw new SchemaNewerThanCode(unknown);
}

/**
 * Installs or upgrades the job queue's schema (`graphile_worker`), which graphile-worker owns
 * and versions itself: safe with several instances at once (each of its migrations is one
 * transaction, and a concurrent one is detected and waited for). Cheap when up to date.
 */
export async function migrateJobQueue(url: string): Promise<void> {
  await migrateGraphileWorker({ connectionString: url, logger: silentWorkerLogger });
}

const silentWorkerLogger = new WorkerLogger(() => () => undefined);
