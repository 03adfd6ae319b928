import { BigIntType, EntityRepositoryType } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { TenantScoped } from '../../tenants/entities/tenant-scoped.entity.js';
import { EventRepository } from '../event.repository.js';
import type { EventData, EventType } from '../event-types.js';

/**
 * One change in a tenant, in the order of commit: `seq` counts a tenant's events from 1
 * without gaps (see `EventLog`). Events outlive what they describe (a deleted task's), so
 * their actor and project are plain ids, not foreign keys. Their ids are UUIDv7: retention
 * deletes by id, in time order, through the primary key.
 */
@Entity({ tableName: 'events', repository: () => EventRepository })
@Unique({ properties: ['tenant', 'seq'] })
@Unique({ properties: ['tenant', 'id'] })
export class TenantEvent extends TenantScoped {
  [EntityRepositoryType]?: EventRepository;

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: new BigIntType('number') })
  seq!: number;

  @Property({ type: 'text' })
  type!: EventType;

  @Property({ type: 'datetime' })
  occurredAt!: Date;

  @Property({ type: 'uuid', nullable: true })
  actorUserId!: string | null;

  @Property({ type: 'uuid', nullable: true })
  actorTokenId!: string | null;

  @Property({ type: 'uuid', nullable: true })
  projectId!: string | null;

  @Property({ type: 'jsonb' })
  data!: EventData;
}
