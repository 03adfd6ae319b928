import { EntityRepositoryType, OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { CompositeForeignKeys } from '../../../database/mikro-orm.options.js';
import { TenantScoped } from '../../tenants/entities/tenant-scoped.entity.js';
import { User } from '../../users/entities/user.entity.js';
import { TaskRelationRepository } from '../task-relation.repository.js';
import { Task } from './task.entity.js';

/** How two tasks relate, as stored: from `source` to `target`. */
export const STORED_RELATION_TYPES = ['blocks', 'relates_to', 'duplicate_of'] as const;
export type StoredRelationType = (typeof STORED_RELATION_TYPES)[number];

/**
 * A relation between two tasks of one tenant (any projects), stored once: `relates_to` with
 * the smaller task id as `source`, the directed types as said (`A blocks B`). It goes with
 * either task.
 */
@CompositeForeignKeys(
  {
    name: 'task_relations_tenant_source_foreign',
    columns: ['tenant_id', 'source_id'],
    references: { table: 'tasks', columns: ['tenant_id', 'id'] },
    deleteRule: 'cascade',
  },
  {
    name: 'task_relations_tenant_target_foreign',
    columns: ['tenant_id', 'target_id'],
    references: { table: 'tasks', columns: ['tenant_id', 'id'] },
    deleteRule: 'cascade',
  },
)
@Entity({ tableName: 'task_relations', repository: () => TaskRelationRepository })
@Unique({ properties: ['tenant', 'id'] })
@Unique({ properties: ['tenant', 'source', 'type', 'target'] })
// The other direction: what blocks a task (the `blocked` filter), what duplicates it.
@Index({ properties: ['tenant', 'target', 'type'] })
// A task is the duplicate of at most one task.
@Index({
  name: 'task_relations_one_duplicate_of_index',
  expression: `create unique index "task_relations_one_duplicate_of_index" on "task_relations" ("tenant_id", "source_id") where "type" = 'duplicate_of'`,
})
export class TaskRelation extends TenantScoped {
  [EntityRepositoryType]?: TaskRelationRepository;
  [OptionalProps]?: 'id' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Enum({ items: () => STORED_RELATION_TYPES, nativeEnumName: 'task_relation_type' })
  type!: StoredRelationType;

  @ManyToOne(() => Task, { deleteRule: 'cascade', createForeignKeyConstraint: false })
  source!: Task;

  @ManyToOne(() => Task, { deleteRule: 'cascade', createForeignKeyConstraint: false })
  target!: Task;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  createdBy!: User | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
