import { EntityRepository, type SqlEntityManager } from '@mikro-orm/postgresql';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type Compilable,
  type CompiledQuery,
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

let compiler: Kysely<Database> | undefined;

/**
 * Kysely over Yello's schema that only compiles statements (it has no connection, so one
 * instance serves every caller): for the statements compiled ahead of their run
 * (`precompiled`, `StatementShapes`) and code that shows or plans the SQL the app sends
 * (`npm run explain`, unit tests).
 */
export function sqlCompiler(): Kysely<Database> {
  compiler ??= new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return compiler;
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
): Precompiled<R> {
  const standIns = Array.from({ length: arity }, (_, index) => `\u0000value ${index}`);
  const template = build(sqlCompiler(), ...standIns).compile();
  const slots = template.parameters.map((parameter) =>
    typeof parameter === 'string' ? standIns.indexOf(parameter) : -1,
  );
  if (standIns.some((_, index) => !slots.includes(index))) throw new Error('A precompiled statement ignores a value');
  const withValues = (values: readonly unknown[]): CompiledQuery<R> => ({
    ...template,
    parameters: template.parameters.map((parameter, index) => {
      const slot = slots[index] ?? -1;
      return slot >= 0 ? values[slot] : parameter;
    }),
  });
  return Object.assign((db: Kysely<Database>, ...values: readonly unknown[]) => db.executeQuery(withValues(values)), {
    sql: template.sql,
    withValues,
  });
}

/** A statement compiled once (`precompiled`): run it on `db` with its values. */
export interface Precompiled<R> {
  (db: Kysely<Database>, ...values: readonly unknown[]): Promise<QueryResult<R>>;
  /** The statement's text. */
  readonly sql: string;
  /** The statement with these values, for `sendAhead`. */
  withValues(values: readonly unknown[]): CompiledQuery<R>;
}

/**
 * Sends `query` on `db`'s connection (a transaction's) and returns without waiting for its
 * answer, so the statement that follows (the COMMIT) is sent right behind it: the pool's
 * connections pipeline their statements (`pipeline` in mikro-orm.options.ts). Kysely would
 * hold its connection until the answer came back; the answer is `answer`, which the caller
 * must await. Statements behind a failed one fail too, and a COMMIT behind it rolls back.
 */
export function sendAhead<R>(
  db: Kysely<Database>,
  query: CompiledQuery<R>,
): Promise<{ answer: Promise<QueryResult<R>> }> {
  return db.getExecutor().provideConnection((connection) => {
    const answer = connection.executeQuery<R>(query);
    answer.catch(() => undefined); // the caller's await sees the failure; nothing else must
    return Promise.resolve({ answer });
  });
}

/** Collects the values an input binds while `StatementShapes` maps it to its shape. */
export class StatementValues {
  readonly values: string[] = [];

  /**
   * The stand-in of `value` in the input's shape. An empty string stays as it is: code may
   * branch on it, so it is part of the shape.
   */
  readonly bind = (value: string): string => {
    if (value === '') return value;
    this.values.push(value);
    // Changed by trimming and by either case conversion, so a statement that transforms a
    // value does not bind the stand-in as given, and is not taken as a template.
    return ` \u0000Value ${this.values.length - 1}\u0000 `;
  };
}

interface ShapeTemplate<R> {
  query: CompiledQuery<R>;
  /** For each parameter of `query`, the index of the bound value it stands for (-1: a constant). */
  slots: number[];
}

/**
 * Compiled statements for inputs of a bounded set of shapes (which filters a list has, its
 * order and page size) with varying values: for hot statements built from a few choices,
 * where building them with Kysely at every request cost more than running them.
 * `shapeOf` maps an input to its shape: the same input with each value that is bound as a
 * parameter passed through `bind`, everything else (what decides the statement's form)
 * kept. The first input of a shape builds and compiles the statement from the shape; later
 * ones reuse it with their own values. A shape whose statement does not bind each value as
 * given (code that branched on a value, or transformed it) is built from each input, and so
 * is every shape past `maxShapes`.
 */
export class StatementShapes<I, R> {
  private readonly templates = new Map<string, ShapeTemplate<R> | null>();
  // Plain fields, not parameter properties: the benchmarks load this file with Node's type
  // stripping (`npm run explain`), which refuses parameter properties.
  private readonly shapeOf: (input: I, bind: (value: string) => string) => I;
  private readonly build: (db: Kysely<Database>, input: I) => Compilable<R>;
  private readonly maxShapes: number;

  constructor(
    shapeOf: (input: I, bind: (value: string) => string) => I,
    build: (db: Kysely<Database>, input: I) => Compilable<R>,
    maxShapes = 512,
  ) {
    this.shapeOf = shapeOf;
    this.build = build;
    this.maxShapes = maxShapes;
  }

  compile(input: I): CompiledQuery<R> {
    const bound = new StatementValues();
    const shape = this.shapeOf(input, bound.bind);
    const key = JSON.stringify(shape);
    let template = this.templates.get(key);
    if (template === undefined) {
      template = templateOf(this.build(sqlCompiler(), shape).compile(), bound.values.length);
      if (this.templates.size < this.maxShapes) this.templates.set(key, template);
    }
    if (template === null) return this.build(sqlCompiler(), input).compile();
    const { query, slots } = template;
    return {
      ...query,
      parameters: query.parameters.map((parameter, index) => {
        const slot = slots[index] ?? -1;
        return slot >= 0 ? bound.values[slot] : parameter;
      }),
    };
  }
}

/** The template of a statement built with `count` stand-ins, or null when it does not bind each one as given. */
function templateOf<R>(query: CompiledQuery<R>, count: number): ShapeTemplate<R> | null {
  const standIns = new StatementValues();
  const expected = Array.from({ length: count }, (_, index) => standIns.bind(`${index}`));
  const slots = query.parameters.map((parameter) => (typeof parameter === 'string' ? expected.indexOf(parameter) : -1));
  if (expected.some((_, index) => !slots.includes(index))) return null;
  return { query, slots };
}
