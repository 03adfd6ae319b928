import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { sql, type Expression, type RawBuilder } from 'kysely';
import { sqlOf } from '../../database/typed-sql.js';
import type { JobDefinition } from './job.js';

export interface JobOptions {
  /**
   * At most one pending job per key: adding another replaces the waiting one (its payload
   * and run time), so a burst of requests for one address queues one mail. A job with the
   * key that is running already keeps running, and the new one is queued beside it.
   */
  key?: string;
  /** Not before this time (default: now). */
  runAt?: Date;
}

/**
 * Adds jobs through graphile-worker's `add_job` on the connection of `em`'s transaction:
 * the job exists only if that transaction commits (a rolled-back request sends nothing),
 * and once it has, the job survives any restart until a worker completes it.
 */
@Injectable()
export class JobQueue {
  async add<Payload>(
    em: EntityManager,
    job: JobDefinition<Payload>,
    payload: Payload,
    options: JobOptions = {},
  ): Promise<void> {
    await this.addMany(em, job, [{ payload, ...options }]);
  }

  /** Adds several jobs of one kind in one statement. */
  async addMany<Payload>(
    em: EntityManager,
    job: JobDefinition<Payload>,
    jobs: readonly ({ payload: Payload } & JobOptions)[],
  ): Promise<void> {
    if (jobs.length === 0) return;
    const specs = jobs.map(({ payload, key, runAt }) => ({
      payload,
      job_key: key ?? null,
      run_at: runAt?.toISOString() ?? null,
    }));
    await sql`select graphile_worker.add_job(${job.name}, j.payload, run_at => j.run_at, max_attempts => ${job.maxAttempts}::int, job_key => j.job_key)
      from json_to_recordset(${JSON.stringify(specs)}::json) as j(payload json, job_key text, run_at timestamptz)`.execute(
      sqlOf(em),
    );
  }
}

/**
 * A job added by the statement that evaluates this expression (graphile-worker's `add_job`),
 * once per row it is evaluated for: for a statement that writes rows and queues a job for
 * each in its `RETURNING`, in the same round trip. `payload` and `key` are built from the row.
 */
export function jobAddedFor<Payload>(
  job: JobDefinition<Payload>,
  payload: Expression<unknown>,
  key: Expression<string>,
): RawBuilder<unknown> {
  return sql`(graphile_worker.add_job(${job.name}, ${payload}, max_attempts => ${job.maxAttempts}::int, job_key => ${key})).id`;
}
