import { OptionalProps } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { CompositeForeignKeys } from '../../../database/mikro-orm.options.js';
import { TenantScoped } from '../../tenants/entities/tenant-scoped.entity.js';
import { User } from '../../users/entities/user.entity.js';
import { Task } from './task.entity.js';

/** A comment on a task: markdown, stored as given and never rendered by the API. */
@CompositeForeignKeys({
  name: 'comments_tenant_task_foreign',
  columns: ['tenant_id', 'task_id'],
  references: { table: 'tasks', columns: ['tenant_id', 'id'] },
  deleteRule: 'cascade',
})
@Entity({ tableName: 'comments' })
@Unique({ properties: ['tenant', 'id'] })
@Index({ properties: ['tenant', 'task', 'createdAt', 'id'] })
export class Comment extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Task, { deleteRule: 'cascade', createForeignKeyConstraint: false })
  task!: Task;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  author!: User | null;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
