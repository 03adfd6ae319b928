import { EntityRepositoryType, OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { TenantRepository } from '../tenant.repository.js';

/** A workspace: the root of everything tenant-scoped (see `TenantScoped`). */
@Entity({ tableName: 'tenants', repository: () => TenantRepository })
export class Tenant {
  [EntityRepositoryType]?: TenantRepository;
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ length: 100 })
  name!: string;

  @Property({ length: 40, unique: true })
  slug!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
