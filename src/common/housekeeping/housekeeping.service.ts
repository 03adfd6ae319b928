import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Interval } from '@nestjs/schedule';
import { tryAdvisoryTransactionLock } from '../../database/advisory-locks.js';
import { HOUR_MS, isPurger, Purger, type PurgeBatch } from './purger.js';

/** Rows per batch: each batch is one short transaction, so no lock is held for long. */
export const PURGE_BATCH_SIZE = 1000;

/** The class of Yello's housekeeping advisory locks (the other number names the job). */
const HOUSEKEEPING_LOCK_CLASS = 0x59454c48; // 'YELH'

/**
 * Runs every module's `@Purger()` jobs hourly, so tables that grow with traffic stay
 * bounded. Each module knows its own rows; this only schedules, batches and reports.
 * Every instance runs it, and each job runs on one instance at a time: every batch takes
 * the job's transaction-level advisory lock (`pg_try_advisory_xact_lock`), and an
 * instance that finds it taken leaves the job to the one holding it.
 */
@Injectable()
export class HousekeepingService {
  private readonly logger = new Logger(HousekeepingService.name);

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly em: EntityManager,
  ) {}

  @Interval(HOUR_MS)
  async purgeHourly(): Promise<void> {
    try {
      const report = await this.purge();
      this.logger.log({ purged: report }, 'housekeeping done');
    } catch (error) {
      this.logger.error({ err: error }, 'housekeeping failed');
    }
  }

  /** Rows deleted, by kind; a job another instance is running counts nothing here. */
  async purge(now = new Date(), batchSize = PURGE_BATCH_SIZE): Promise<Record<string, number>> {
    const report: Record<string, number> = {};
    for (const { instance } of this.discovery.getProviders({ metadataKey: Purger.KEY })) {
      if (!isPurger(instance)) throw new Error(`@Purger() on ${String(instance)} without purgeJobs(now)`);
      for (const [job, batch] of Object.entries(instance.purgeJobs(now))) {
        report[job] = await this.runJob(job, batch, batchSize);
      }
    }
    return report;
  }

  private async runJob(job: string, batch: PurgeBatch, batchSize: number): Promise<number> {
    let purged = 0;
    for (;;) {
      const deleted = await this.em.fork().transactional(async (em) => {
        const locked = await tryAdvisoryTransactionLock(em, HOUSEKEEPING_LOCK_CLASS, job);
        return locked ? batch(em, batchSize) : undefined;
      });
      if (deleted === undefined) {
        this.logger.debug(`housekeeping: ${job} runs on another instance`);
        return purged;
      }
      purged += deleted;
      if (deleted < batchSize) return purged;
    }
  }
}
