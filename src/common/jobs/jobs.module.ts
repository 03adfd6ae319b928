import { Module } from '@nestjs/common';
import { JobQueue } from './job-queue.repository.js';
import { JobRunner } from './job-runner.js';

/**
 * The background job queue: `JobQueue` adds jobs inside a transaction, `JobRunner` runs
 * them. Not global: a module that queues or handles jobs imports it (so its runner starts
 * after the global database module has migrated).
 */
@Module({
  providers: [JobQueue, JobRunner],
  exports: [JobQueue, JobRunner],
})
export class JobsModule {}
