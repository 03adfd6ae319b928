import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DAY_MS, Purger } from '../housekeeping/purger.js';
import { IdempotencyRecord } from './idempotency-record.entity.js';

/** Idempotency keys replay for 24 hours. */
const IDEMPOTENCY_WINDOW_MS = DAY_MS;

@Injectable()
@Purger()
export class IdempotencyPurger implements Purger {
  constructor(private readonly em: EntityManager) {}

  async purge(now: Date): Promise<Record<string, number>> {
    return {
      idempotencyKeys: await this.em.fork().nativeDelete(IdempotencyRecord, {
        createdAt: { $lt: new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS) },
      }),
    };
  }
}
