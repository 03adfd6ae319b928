import { OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { CompositeForeignKeys } from '../../../database/mikro-orm.options.js';
import { Project } from '../../projects/entities/project.entity.js';
import { TenantScoped } from '../../tenants/entities/tenant-scoped.entity.js';
import { User } from '../../users/entities/user.entity.js';

export const ACTIVITY_ACTIONS = [
  'created',
  'updated',
  'deleted',
  'label_added',
  'label_removed',
  'comment_added',
  'comment_edited',
  'comment_deleted',
  'relation_added',
  'relation_removed',
] as const;
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];

/**
 * One append-only log of what happened to the tenant's tasks, written in the transaction
 * of the change. A task's history is a view of it; audit trails and webhooks can read it
 * too. `taskId` is no foreign key: a task's events outlive the task (its `deleted` event
 * above all); they go with the project.
 */
@CompositeForeignKeys({
  name: 'activity_events_tenant_project_foreign',
  columns: ['tenant_id', 'project_id'],
  references: { table: 'projects', columns: ['tenant_id', 'id'] },
  deleteRule: 'cascade',
})
@Entity({ tableName: 'activity_events' })
@Unique({ properties: ['tenant', 'id'] })
@Index({ properties: ['tenant', 'taskId', 'createdAt', 'id'] })
@Index({ properties: ['project'] })
export class ActivityEvent extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'field' | 'from' | 'to';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Project, { deleteRule: 'cascade', createForeignKeyConstraint: false })
  project!: Project;

  @Property({ type: 'uuid' })
  taskId!: string;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  actor!: User | null;

  @Enum({ items: () => ACTIVITY_ACTIONS, nativeEnumName: 'activity_action' })
  action!: ActivityAction;

  /** The changed field (`status`), or what a label/comment/relation event is about (`labelIds`, `comment`, `blocks`). */
  @Property({ length: 32, nullable: true })
  field: string | null = null;

  @Property({ type: 'text', nullable: true })
  from: string | null = null;

  @Property({ type: 'text', nullable: true })
  to: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
