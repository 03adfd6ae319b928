import { Injectable } from '@nestjs/common';
import { deleteBatch, Purger, type PurgeBatch } from '../housekeeping/purger.js';
import { RateLimitCounter } from './rate-limit-counter.entity.js';

@Injectable()
@Purger()
export class RateLimitCountersPurger implements Purger {
  purgeJobs(now: Date): Record<string, PurgeBatch> {
    // A counter whose newest hit expired counts nothing: the next attempt starts a new row.
    return { rateLimitCounters: (em, limit) => deleteBatch(em, RateLimitCounter, { expiresAt: { $lt: now } }, limit) };
  }
}
