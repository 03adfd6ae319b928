import { EntityRepositoryType, OptionalProps } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { ProjectRepository } from '../project.repository.js';
import { TenantScoped } from '../../tenants/entities/tenant-scoped.entity.js';

/** A project of a tenant; its key (`YEL`) prefixes the keys of its tasks and never changes. */
@Entity({ tableName: 'projects', repository: () => ProjectRepository })
@Unique({ properties: ['tenant', 'key'] })
@Unique({ properties: ['tenant', 'id'] }) // target of the composite foreign keys that pin tasks to their tenant
@Index({ properties: ['tenant', 'archived', 'name', 'id'] })
export class Project extends TenantScoped {
  [EntityRepositoryType]?: ProjectRepository;
  [OptionalProps]?: 'id' | 'description' | 'archived' | 'lastTaskNumber' | 'version' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ length: 10 })
  key!: string;

  @Property({ length: 100 })
  name!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Property({ default: false })
  archived: boolean = false;

  /**
   * The number of the newest task. Task creation increments it with one conditional
   * UPDATE in its transaction: the row lock serialises concurrent creates, and a rolled
   * back create gives its number back.
   */
  @Property({ type: 'integer', default: 0, hidden: true })
  lastTaskNumber: number = 0;

  @Property({ version: true })
  version!: number;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
