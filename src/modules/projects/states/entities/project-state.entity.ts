import { EntityRepositoryType, OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { CompositeForeignKeys } from '../../../../database/mikro-orm.options.js';
import { TenantScoped } from '../../../tenants/entities/tenant-scoped.entity.js';
import { Project } from '../../entities/project.entity.js';
import { ProjectStateRepository } from '../project-state.repository.js';
import { STATE_CATEGORIES, type StateCategory } from '../workflow.js';

/**
 * A workflow state of a project: a column of its board. Its key is a task's `status` and
 * never changes, nor does its category; tasks reference both (a composite foreign key), so
 * no task is ever in a state that is gone, nor carries the wrong category.
 */
@CompositeForeignKeys({
  name: 'project_states_tenant_project_foreign',
  columns: ['tenant_id', 'project_id'],
  references: { table: 'projects', columns: ['tenant_id', 'id'] },
  deleteRule: 'cascade',
})
@Entity({ tableName: 'project_states', repository: () => ProjectStateRepository })
@Unique({ properties: ['tenant', 'id'] })
@Unique({ properties: ['tenant', 'project', 'key'] })
// Target of the tasks' (tenant, project, status, status category) foreign key.
@Unique({ properties: ['tenant', 'project', 'key', 'category'] })
@Unique({ properties: ['tenant', 'project', 'position'] })
// Exactly one default per project: new tasks without a status go there.
@Index({
  name: 'project_states_one_default_index',
  expression: `create unique index "project_states_one_default_index" on "project_states" ("tenant_id", "project_id") where "is_default"`,
})
export class ProjectState extends TenantScoped {
  [EntityRepositoryType]?: ProjectStateRepository;
  [OptionalProps]?: 'id' | 'color' | 'isDefault' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Project, { deleteRule: 'cascade', createForeignKeyConstraint: false })
  project!: Project;

  @Property({ length: 32 })
  key!: string;

  @Property({ length: 50 })
  name!: string;

  @Enum({ items: () => STATE_CATEGORIES, nativeEnumName: 'state_category' })
  category!: StateCategory;

  /** `#rrggbb`, lower-case; null: the client picks. */
  @Property({ length: 7, nullable: true })
  color: string | null = null;

  /** Fractional-index key ordering the board's columns (byte order: collation "C"). */
  @Property({ type: 'text', collation: 'C' })
  position!: string;

  @Property({ default: false })
  isDefault: boolean = false;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
