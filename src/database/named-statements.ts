import { createPostgreSqlTypeParsers } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';
import {
  PostgresDialect,
  type PostgresCursor,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
} from 'kysely';
import pg from 'pg';
import { parse as parseArray } from 'postgres-array';
import { poolSettings, type DatabaseConnection } from './mikro-orm.options.js';

/** The statement texts sent as named statements, with their names. */
const names = new Map<string, string>();

/**
 * Sends `text` as a named statement from now on: each connection parses, analyses and plans
 * it once, then binds each call's values (PostgreSQL switches to a generic plan after five
 * runs where it costs no more). For hot statements whose preparation costs more than their
 * run: the event append, a CTE of several writes, took about 0.9 ms to parse and plan and
 * 0.6 ms to run. Only texts of fixed shape: every connection keeps each one it has seen.
 */
export function sendAsNamedStatement(text: string): void {
  names.set(text, `yello_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`);
}

type Command = PostgresQueryResult<unknown>['command'];
const COMMANDS: ReadonlySet<string> = new Set(['UPDATE', 'DELETE', 'INSERT', 'SELECT', 'MERGE', 'COMMIT', 'ROLLBACK']);
const isCommand = (command: string): command is Command => COMMANDS.has(command);

/**
 * A pooled `pg` client as Kysely uses it, which names the statements `sendAsNamedStatement`
 * registered (Kysely's driver sends every statement unnamed).
 */
class NamingClient implements PostgresPoolClient {
  private readonly client: pg.PoolClient;

  constructor(client: pg.PoolClient) {
    this.client = client;
  }

  query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters: readonly unknown[] = [],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // Pipelined connections refuse cursors (mikro-orm.options.ts), and the app streams nothing.
    if (typeof sqlOrCursor !== 'string') throw new Error('Cursors are not supported on the app pool');
    return this.run(sqlOrCursor, parameters);
  }

  release(destroy?: boolean): void {
    this.client.release(destroy);
  }

  private async run<R>(text: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>> {
    const name = names.get(text);
    // pg copies a query given as an object, property descriptors and all: only a named one is.
    const result =
      name === undefined
        ? await this.client.query<R & pg.QueryResultRow>(text, [...parameters])
        : await this.client.query<R & pg.QueryResultRow>({ text, values: [...parameters], name });
    // Kysely reads the command only to tell writes and COMMIT/ROLLBACK apart.
    return {
      command: isCommand(result.command) ? result.command : 'SELECT',
      rowCount: result.rowCount ?? 0,
      rows: result.rows,
    };
  }
}

/** `pool` for Kysely's `PostgresDialect`, with the statements `sendAsNamedStatement` registered named. */
export class NamingPool implements PostgresPool {
  private readonly pool: pg.Pool;
  // Kysely keeps a connection per client object: hand out the same wrapper for a client.
  private readonly clients = new WeakMap<pg.PoolClient, NamingClient>();

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  get options(): pg.PoolOptions {
    return this.pool.options;
  }

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    const known = this.clients.get(client);
    if (known) return known;
    const named = new NamingClient(client);
    this.clients.set(client, named);
    return named;
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * The app's Kysely dialect for MikroORM (`driverOptions`): MikroORM's pool, as it would
 * build it (`poolSettings`, timestamps read as text, dropped connections survived),
 * handed to Kysely through `NamingPool`.
 */
export function appDialect(connection: DatabaseConnection): PostgresDialect {
  const types = new pg.TypeOverrides();
  for (const [oid, parse] of Object.entries(createPostgreSqlTypeParsers((text: string) => parseArray(text)))) {
    types.setTypeParser(Number(oid), parse);
  }
  const pool = new pg.Pool({ connectionString: connection.url, ...poolSettings(connection), types });
  // pg reports a connection dropped by the server as an 'error' event, fatal without a
  // listener. The statement in flight fails on its own, and an outage is logged once, by
  // the database supervision (`DatabaseOutages`), not once per connection.
  const ignore = () => undefined;
  pool.on('error', ignore);
  pool.on('connect', (client) => client.on('error', ignore));
  return new PostgresDialect({ pool: new NamingPool(pool) });
}
