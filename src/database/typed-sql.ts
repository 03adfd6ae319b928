import { EntityRepository, type SqlEntityManager } from '@mikro-orm/postgresql';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type Compilable,
  type QueryResult,
} from 'kysely';
import type { Database } from './database-schema.js';

/**
 * Kysely over Yello's schema, on the connection of `em`'s current transaction if it has
 * one (else the pool). The plain instance, without MikroORM's naming plugin: statements
 * name tables and columns as PostgreSQL does, and nothing rewrites them on the hot path.
 */
export function sqlOf(em: SqlEntityManager): Kysely<Database> {
  return em.getKysely<Database>();
}

/**
 * Kysely over Yello's schema on the pool, outside any transaction `em` is in: for writes
 * that must stand whatever becomes of the caller's transaction (rate-limit counts).
 */
export function sqlOutsideTransactionOf(em: SqlEntityManager): Kysely<Database> {
  return em.getConnection().getClient<Database>();
}

/**
 * Base of the repositories that write SQL by hand: `this.sql()` is `sqlOf` for the
 * repository's EntityManager, so a statement joins the transaction it is called in.
 */
export abstract class SqlRepository<T extends object> extends EntityRepository<T> {
  protected sql(): Kysely<Database> {
    return sqlOf(this.getEntityManager());
  }

  protected sqlOutsideTransaction(): Kysely<Database> {
    return sqlOutsideTransactionOf(this.getEntityManager());
  }
}

/**
 * Kysely over Yello's schema that only compiles statements (it has no connection): for
 * code that shows or plans the SQL the app sends (`npm run explain`, unit tests).
 */
export function sqlCompiler(): Kysely<Database> {
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}

/**
 * A statement of fixed shape built and compiled once, then run with each call's values: for
 * the reads every request makes (membership, session, a task by id or key), where building
 * and compiling the statement each time was most of Kysely's cost. `build` receives a
 * stand-in for each value (each must be used as a bound value); the compiled statement's
 * parameters are those stand-ins, replaced at each run, and its constants. A run's value may
 * be of another type than text (an array for `unnest`, a number) where the statement casts it.
 */
export function precompiled<R>(
  arity: number,
  build: (db: Kysely<Database>, ...values: string[]) => Compilable<R>,
): (db: Kysely<Database>, ...values: readonly unknown[]) => Promise<QueryResult<R>> {
  const standIns = Array.from({ length: arity }, (_, index) => `\u0000value ${index}`);
  const template = build(sqlCompiler(), ...standIns).compile();
  const slots = template.parameters.map((parameter) =>
    typeof parameter === 'string' ? standIns.indexOf(parameter) : -1,
  );
  if (standIns.some((_, index) => !slots.includes(index))) throw new Error('A precompiled statement ignores a value');
  return (db, ...values) =>
    db.executeQuery<R>({
      ...template,
      parameters: template.parameters.map((parameter, index) => {
        const slot = slots[index] ?? -1;
        return slot >= 0 ? values[slot] : parameter;
      }),
    });
}
