import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Interval } from '@nestjs/schedule';
import { HOUR_MS, isPurger, Purger } from './purger.js';

/**
 * Runs every module's `@Purger()` hourly, so tables that grow with traffic stay bounded.
 * Each module knows its own rows; this only schedules and reports. Every instance runs
 * it; the deletes are idempotent, so concurrent runs are harmless.
 */
@Injectable()
export class HousekeepingService {
  private readonly logger = new Logger(HousekeepingService.name);

  constructor(private readonly discovery: DiscoveryService) {}

  @Interval(HOUR_MS)
  async purgeHourly(): Promise<void> {
    try {
      const report = await this.purge();
      this.logger.log({ purged: report }, 'housekeeping done');
    } catch (error) {
      this.logger.error({ err: error }, 'housekeeping failed');
    }
  }

  async purge(now = new Date()): Promise<Record<string, number>> {
    const report: Record<string, number> = {};
    for (const { instance } of this.discovery.getProviders({ metadataKey: Purger.KEY })) {
      if (!isPurger(instance)) throw new Error(`@Purger() on ${String(instance)} without purge(now)`);
      Object.assign(report, await instance.purge(now));
    }
    return report;
  }
}
