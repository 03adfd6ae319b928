import { EntityManager, RequestContext } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceBusy } from '../common/http/domain-error.js';
import { InjectAppConfig, type AppConfig } from '../config/app-config.module.js';

/** SQLSTATEs of a transaction that lost a race with another one: run it again from the start. */
const TRANSIENT_SQLSTATES = new Set(['40P01', '40001']);
/** The SQLSTATE of a statement that waited longer than `lock_timeout` for a lock. */
const LOCK_TIMEOUT_SQLSTATE = '55P03';

/** Backoff before rerun `n` (from 0): a random wait up to 10, 20, 40… ms, at most 200. */
const backoffMs = (attempt: number): number => Math.random() * Math.min(200, 10 * 2 ** attempt);

/**
 * Thrown inside a transaction by code that finds it lost a race the database could not
 * see as one (a board position taken meanwhile, caught as a unique violation): the whole
 * transaction is rolled back and run again, like a deadlock victim.
 */
export class TransientConflict extends Error {
  override readonly name = 'TransientConflict';
}

/** Others kept changing the same rows: the change was not applied, and may be sent again. */
export class WriteContention extends ServiceBusy {
  constructor(reason: string) {
    super(`${reason}; the change was not applied, send it again shortly`, 1);
  }
}

function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function violated(error: unknown, sqlState: string, constraint: string): boolean {
  return (
    sqlStateOf(error) === sqlState &&
    typeof error === 'object' &&
    error !== null &&
    'constraint' in error &&
    error.constraint === constraint
  );
}

/**
 * Whether `error` violated the unique constraint `constraint` (MikroORM's exceptions and
 * raw `pg` errors alike carry the SQLSTATE and the constraint's name).
 */
export const isUniqueViolation = (error: unknown, constraint: string): boolean => violated(error, '23505', constraint);

/** Whether `error` violated the foreign key `constraint`. */
export const isForeignKeyViolation = (error: unknown, constraint: string): boolean =>
  violated(error, '23503', constraint);

/** Whether `error` means a lock wait hit `lock_timeout`. */
export const isLockTimeout = (error: unknown): boolean => sqlStateOf(error) === LOCK_TIMEOUT_SQLSTATE;

/**
 * One attempt of a transaction, as its code sees it: work it queues with `beforeCommit`
 * runs after the rest, in the transaction, in the order queued (the event log appends
 * there: its counter is the last lock any transaction takes). Gone with a rolled-back
 * attempt; a rerun starts with a fresh one.
 */
export class TransactionScope {
  private readonly finals: ((em: EntityManager) => Promise<void>)[] = [];
  private readonly sentAhead: Promise<unknown>[] = [];

  beforeCommit(work: (em: EntityManager) => Promise<void>): void {
    this.finals.push(work);
  }

  /**
   * Final work's statement sent without waiting for its answer (`sendAhead`): the COMMIT
   * goes out right behind it. If the statement fails, PostgreSQL rolls the transaction back
   * at that COMMIT, which then fails as aborted; `Transactions.run` reports the statement's
   * failure instead, the cause.
   */
  commitsBehind(answer: Promise<unknown>): void {
    this.sentAhead.push(answer);
  }

  /** @internal Run by `Transactions` when the transaction's own work is done. */
  async finish(em: EntityManager): Promise<void> {
    // An array's iterator reads its length at every step: work queued by final work runs too.
    for (const work of this.finals) await work(em);
  }

  /** @internal Why the transaction failed: the failure of a statement sent ahead of the COMMIT, else `thrown`. */
  async causeOf(thrown: unknown): Promise<{ error: unknown; sentAhead: boolean }> {
    for (const answer of this.sentAhead) {
      try {
        await answer;
      } catch (error) {
        return { error, sentAhead: true };
      }
    }
    return { error: thrown, sentAhead: false };
  }
}

/**
 * The app's transaction boundary. Every write of a change runs in `run`'s callback on the
 * `em` it is given. A transaction that loses a race (deadlock victim, serialization
 * failure, `TransientConflict`) is rolled back and run again from the start a few times
 * with jittered backoff; If-Match checks and idempotency hold across reruns because a
 * rerun sees only committed state and nothing of the failed attempt survives. What still
 * fails, and a lock wait past `lock_timeout`, is a 503 with `Retry-After`, never a 500.
 *
 * Locks are taken in one order across the app (see docs/api-guide.md#concurrency and the
 * README): tenant, memberships, labels, project, tasks by id, then the rows under them.
 */
@Injectable()
export class Transactions {
  private readonly logger = new Logger(Transactions.name);
  private readonly retries: number;
  private readonly scopes = new AsyncLocalStorage<TransactionScope>();

  constructor(
    private readonly em: EntityManager,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.retries = config.database.transactionRetries;
  }

  async run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    // Inside another transaction: part of it, rerun (if at all) by the outermost `run`.
    if (this.em.isInTransaction()) return work(this.em);
    for (let attempt = 0; ; attempt++) {
      const scope = new TransactionScope();
      try {
        return await this.em.transactional((em) =>
          this.scopes.run(scope, async () => {
            const result = await work(em);
            // The unit of work's own changes first: MikroORM would flush them after this
            // callback, behind the final work (the event log's counter, meant as the last lock).
            await em.flush();
            await scope.finish(em);
            return result;
          }),
        );
      } catch (thrown) {
        const { error, sentAhead } = await scope.causeOf(thrown);
        // MikroORM merged this attempt's entities into the request's before the COMMIT, which
        // rolled back: they hold what never happened.
        if (sentAhead) RequestContext.getEntityManager()?.clear();
        if (isLockTimeout(error)) throw new WriteContention('Waited too long for other changes to the same items');
        if (!(error instanceof TransientConflict) && !TRANSIENT_SQLSTATES.has(sqlStateOf(error) ?? '')) throw error;
        if (attempt >= this.retries) {
          this.logger.warn(`A transaction lost ${attempt + 1} races in a row: answering 503`);
          throw new WriteContention('Other changes to the same items kept this one from completing');
        }
        await sleep(backoffMs(attempt));
      }
    }
  }

  /** The transaction `run` is running the caller in (throws outside one: a write outside `run` is a bug). */
  current(): TransactionScope {
    const scope = this.scopes.getStore();
    if (!scope) throw new Error('Not inside Transactions.run');
    return scope;
  }
}
