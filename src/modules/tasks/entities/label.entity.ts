import { OptionalProps } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { TenantScoped } from '../../tenants/entities/tenant-scoped.entity.js';

@Entity({ tableName: 'labels' })
@Unique({ properties: ['tenant', 'id'] })
@Index({
  name: 'labels_tenant_id_lower_name_unique',
  expression: 'create unique index "labels_tenant_id_lower_name_unique" on "labels" ("tenant_id", lower("name"))',
})
export class Label extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  /** Unique in the tenant, case-insensitively. */
  @Property({ length: 50 })
  name!: string;

  /** `#rrggbb`, lower-case. */
  @Property({ length: 7 })
  color!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
