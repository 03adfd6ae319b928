import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { sqlOf } from '../../database/typed-sql.js';
import type { JobDefinition } from './job.js';

export interface JobOptions {
  /**
   * At most one pending job per key: adding another replaces the waiting one (its payload
   * and run time), so a burst of requests for one address queues one mail.
   */
  key?: string;
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
    await sql`select graphile_worker.add_job(${job.name}, ${JSON.stringify(payload)}::json, max_attempts => ${job.maxAttempts}::int, job_key => ${options.key ?? null}::text)`.execute(
      sqlOf(em),
    );
  }
}
