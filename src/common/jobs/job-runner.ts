import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Logger as WorkerLogger, run, type LogFunctionFactory, type Runner, type TaskList } from 'graphile-worker';
import pg from 'pg';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';
import { startupOptions } from '../../database/mikro-orm.options.js';
import type { JobDefinition } from './job.js';

type WorkerLogLevel = Parameters<ReturnType<LogFunctionFactory>>[0];

/** Waiting longer for a connection of the job pool fails the job's statement (the job is retried). */
const JOB_CONNECT_TIMEOUT_MS = 10_000;
/** After the runner stopped by itself (a database outage), it is started again this much later. */
const RESTART_DELAY_MS = 5_000;
/** Jobs an instance takes ahead per worker (graphile-worker's local queue). */
const LOCAL_QUEUE_PER_WORKER = 5;

/**
 * Runs the queued jobs of this instance in-process, on the app's own PostgreSQL
 * (graphile-worker). Modules register their handlers with `handle` while they initialise;
 * the runner starts when the application has bootstrapped (after the start-up migrations)
 * and stops before it shuts down: running jobs finish (or, after graphile-worker's abort
 * timeout of 5 s, fail this attempt and are retried), waiting ones stay queued.
 *
 * Its pool is its own: one connection LISTENs for new jobs, and each worker gets one to
 * take and complete its jobs, plus a spare (graphile-worker's advice: `concurrency + 2`;
 * with 2 connections, every take and completion of both workers queued on one). A handler
 * reads and writes through MikroORM in a context of its own, as a request does (so
 * `Transactions.run` works the same there).
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobRunner.name);
  private readonly tasks: TaskList = {};
  private pool: pg.Pool | undefined;
  private runner: Runner | undefined;
  private restart: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly orm: MikroORM,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  /** Runs `handler` for each job of `job`'s kind; a throw makes the job retried later. */
  handle<Payload>(job: JobDefinition<Payload>, handler: (payload: Payload) => Promise<void>): void {
    this.tasks[job.name] = async (payload, { abortPromise }) => {
      const parsed = job.payload.parse(payload);
      // A shutdown that waited its 5 s gives up on the job: it fails this attempt, so its row
      // is unlocked and retried (here after a restart, or by another instance) instead of
      // staying locked for hours after the process exits.
      await Promise.race([RequestContext.create(this.orm.em, () => handler(parsed)), abortPromise]);
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const concurrency = this.config.jobs.concurrency;
    if (concurrency === 0) return;
    const { database } = this.config;
    const pool = new pg.Pool({
      connectionString: database.url,
      max: concurrency + 2,
      application_name: 'yello-jobs',
      // Jobs wait on nobody: a slow connection under load is better than a failed attempt.
      connectionTimeoutMillis: Math.max(database.connectTimeoutMs, JOB_CONNECT_TIMEOUT_MS),
      statement_timeout: database.statementTimeoutMs,
      options: startupOptions(database),
    });
    // A connection lost (PostgreSQL restarted), idle in the pool or checked out: never an
    // uncaught 'error' event; the pool drops it and graphile-worker reconnects. The outage
    // itself is logged once by the app (DatabaseOutages, the embedded database's supervisor).
    const lost = (error: Error) => this.logger.debug(`job queue connection lost: ${error.message}`);
    pool.on('error', lost);
    pool.on('connect', (client) => client.on('error', lost));
    this.pool = pool;
    await this.start(pool);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const { runner, pool } = this;
    this.stopping = true;
    clearTimeout(this.restart);
    this.runner = undefined;
    this.pool = undefined;
    await runner?.stop().catch((error: unknown) => this.logger.warn(`job runner stopped with ${String(error)}`));
    await pool?.end();
  }

  /**
   * Starts graphile-worker, and starts it again whenever it stops by itself: it shuts its
   * workers down when one cannot complete a job's row (the database went away), and a
   * queue that stopped for good would keep every later mail waiting for a restart.
   */
  private async start(pool: pg.Pool): Promise<void> {
    if (this.stopping) return;
    try {
      const runner = await run({
        pgPool: pool,
        taskList: this.tasks,
        concurrency: this.config.jobs.concurrency,
        noHandleSignals: true,
        // Jobs scheduled for later (retries) are found by polling; new ones arrive by NOTIFY.
        pollInterval: this.config.jobs.pollIntervalMs,
        // Through graphile-worker's batcher (with no delay), not its direct path: a job's outcome
        // is then written before `stop()` resolves (the direct path leaves it in flight, to fail
        // on the pool we end next), and a write that fails stops the runner (restarted below)
        // instead of rejecting a promise nobody holds.
        preset: {
          worker: {
            completeJobBatchDelay: 0,
            failJobBatchDelay: 0,
            // Jobs are taken several at a time, in one statement, instead of one statement per
            // job: after a burst of 1 000 webhook deliveries the last arrived about 1 s after the
            // last write instead of 2 (`npm run bench:webhooks`).
            // A graceful stop gives the untaken ones back; a `kill -9` leaves them locked for
            // 4 hours like a running job (webhook deliveries are swept back sooner).
            localQueue: { size: this.config.jobs.concurrency * LOCAL_QUEUE_PER_WORKER },
          },
        },
        logger: new WorkerLogger(() => (level, message, meta) => this.log(level, message, meta.error)),
      });
      this.runner = runner;
      runner.promise.then(
        () => this.restartLater(pool, 'it stopped'),
        (error: unknown) => this.restartLater(pool, String(error)),
      );
    } catch (error) {
      // Still no database: the outage is logged by the app already.
      this.restartLater(pool, String(error), isConnectionFailure(error));
    }
  }

  private restartLater(pool: pg.Pool, cause: string, quietly = false): void {
    if (this.stopping) return;
    this.runner = undefined;
    const message = `job runner stopped (${cause}); starting it again in ${RESTART_DELAY_MS / 1000} s`;
    if (quietly) this.logger.debug(message);
    else this.logger.warn(message);
    this.restart = setTimeout(() => void this.start(pool), RESTART_DELAY_MS);
    this.restart.unref();
  }

  /**
   * graphile-worker's messages name the job and its error, never its payload (which may hold
   * a token). Its complaints about a lost connection are the database outage the app logs
   * once already: debug lines here.
   */
  private log(level: WorkerLogLevel, message: string, cause: unknown): void {
    if (level !== 'debug' && isConnectionFailure(cause)) this.logger.debug(message);
    else if (level === 'error') this.logger.error(message);
    else if (level === 'warning') this.logger.warn(message);
    else this.logger.debug(message);
  }
}

/** Network errors, SQLSTATE classes 08 (connection) and 57P (shutdown, starting up), a dead client. */
function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code: unknown = Reflect.get(error, 'code');
  if (typeof code === 'string' && (/^(08|57P)/.test(code) || /^E(CONN|HOST|NET|PIPE|TIMEDOUT)/.test(code))) return true;
  return /Connection terminated|not queryable|timeout exceeded when trying to connect/i.test(error.message);
}
