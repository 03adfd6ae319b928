import { BigIntType, OptionalProps } from '@mikro-orm/core';
import { Entity, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { TenantScoped } from '../../tenants/entities/tenant-scoped.entity.js';
import { Tenant } from '../../tenants/entities/tenant.entity.js';

/**
 * A tenant's event counter. The transaction that appends events raises `lastSeq` and holds
 * the row locked until it commits, so the next writer's numbers follow in commit order.
 * `purgedThrough` is the last seq retention deleted: a cursor before it is gone (`410`).
 */
@Entity({ tableName: 'event_counters' })
export class EventCounter extends TenantScoped {
  [OptionalProps]?: 'lastSeq' | 'purgedThrough';

  /** The tenant is the key: one counter each. */
  @ManyToOne(() => Tenant, { primary: true, deleteRule: 'cascade' })
  declare tenant: Tenant;

  @Property({ type: new BigIntType('number'), default: 0 })
  lastSeq = 0;

  @Property({ type: new BigIntType('number'), default: 0 })
  purgedThrough = 0;
}
