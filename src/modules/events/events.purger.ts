import { Injectable } from '@nestjs/common';
import { DAY_MS, Purger, type PurgeBatch } from '../../common/housekeeping/purger.js';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';
import { TenantEvent } from './entities/tenant-event.entity.js';

/** Events past the retention (`EVENT_RETENTION_DAYS`) go; a cursor before them is then `410`. */
@Injectable()
@Purger()
export class EventsPurger implements Purger {
  constructor(@InjectAppConfig() private readonly config: AppConfig) {}

  purgeJobs(now: Date): Record<string, PurgeBatch> {
    const before = new Date(now.getTime() - this.config.events.retentionDays * DAY_MS);
    return { events: (em, limit) => em.getRepository(TenantEvent).purgeOlderThan(before, limit) };
  }
}
