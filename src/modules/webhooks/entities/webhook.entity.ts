import { EntityRepositoryType, OptionalProps } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { CompositeForeignKeys } from '../../../database/mikro-orm.options.js';
import { Project } from '../../projects/entities/project.entity.js';
import { TenantScoped } from '../../tenants/entities/tenant-scoped.entity.js';
import { WebhookRepository } from '../webhook.repository.js';

/**
 * An endpoint of a tenant that is sent the tenant's events (Standard Webhooks). Its signing
 * secret is stored encrypted (`WebhookSecrets`): signing needs it back. During a rotation
 * the previous secret signs too, until `previousSecretExpiresAt`.
 */
@CompositeForeignKeys({
  name: 'webhooks_tenant_project_foreign',
  columns: ['tenant_id', 'project_id'],
  references: { table: 'projects', columns: ['tenant_id', 'id'] },
  deleteRule: 'cascade',
})
@Entity({ tableName: 'webhooks', repository: () => WebhookRepository })
@Unique({ properties: ['tenant', 'id'] })
@Index({ properties: ['tenant', 'createdAt', 'id'] })
export class Webhook extends TenantScoped {
  [EntityRepositoryType]?: WebhookRepository;
  [OptionalProps]?:
    | 'id'
    | 'project'
    | 'description'
    | 'active'
    | 'disabledReason'
    | 'previousSecret'
    | 'previousSecretExpiresAt'
    | 'createdAt'
    | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ length: 2048 })
  url!: string;

  /** Event types and `entity.*` patterns. */
  @Property({ type: 'text[]' })
  events!: string[];

  /** Only the events of this project (none: every event of the tenant). */
  @ManyToOne(() => Project, { nullable: true, deleteRule: 'cascade', createForeignKeyConstraint: false })
  project: Project | null = null;

  @Property({ length: 500, nullable: true })
  description: string | null = null;

  @Property({ default: true })
  active: boolean = true;

  /** Why Yello disabled it (a `410`, or failures for three days); null when enabled. */
  @Property({ length: 500, nullable: true })
  disabledReason: string | null = null;

  @Property({ type: 'text', hidden: true })
  secret!: string;

  @Property({ type: 'text', hidden: true, nullable: true })
  previousSecret: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  previousSecretExpiresAt: Date | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
