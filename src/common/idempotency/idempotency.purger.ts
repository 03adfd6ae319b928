import { Injectable } from '@nestjs/common';
import { DAY_MS, deleteBatch, Purger, type PurgeBatch } from '../housekeeping/purger.js';
import { IdempotencyRecord } from './idempotency-record.entity.js';

/** Idempotency keys replay for 24 hours. */
const IDEMPOTENCY_WINDOW_MS = DAY_MS;

@Injectable()
@Purger()
export class IdempotencyPurger implements Purger {
  purgeJobs(now: Date): Record<string, PurgeBatch> {
    const expired = { createdAt: { $lt: new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS) } };
    return { idempotencyKeys: (em, limit) => deleteBatch(em, IdempotencyRecord, expired, limit) };
  }
}
