import { ArrayType, EntityRepositoryType } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { RateLimitCounterRepository } from './rate-limit-counter.repository.js';

/**
 * The attempts counted under one rate-limit key, shared by every instance: a sliding
 * window as the expiry times (epoch milliseconds, PostgreSQL's clock) of its live hits.
 * Written only by `RateLimitCounterRepository`'s statements; expired rows go with housekeeping.
 */
@Entity({ tableName: 'rate_limit_counters', repository: () => RateLimitCounterRepository })
@Index({ properties: ['expiresAt'] })
export class RateLimitCounter {
  [EntityRepositoryType]?: RateLimitCounterRepository;

  @PrimaryKey({ type: 'text' })
  key!: string;

  @Property({ type: new ArrayType((value) => Number(value)), columnType: 'bigint[]' })
  hits!: number[];

  /** When the newest hit expires: the row is of no use after it. */
  @Property({ type: 'datetime' })
  expiresAt!: Date;
}
