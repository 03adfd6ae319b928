import { PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, Unique } from '@mikro-orm/decorators/legacy';
import { CompositeForeignKeys } from '../../../database/mikro-orm.options.js';
import { TenantScoped } from '../../tenants/entities/tenant-scoped.entity.js';
import { Label } from './label.entity.js';
import { Task } from './task.entity.js';

/** A label on a task; it goes with either. */
@CompositeForeignKeys(
  {
    name: 'task_labels_tenant_task_foreign',
    columns: ['tenant_id', 'task_id'],
    references: { table: 'tasks', columns: ['tenant_id', 'id'] },
    deleteRule: 'cascade',
  },
  {
    name: 'task_labels_tenant_label_foreign',
    columns: ['tenant_id', 'label_id'],
    references: { table: 'labels', columns: ['tenant_id', 'id'] },
    deleteRule: 'cascade',
  },
)
@Entity({ tableName: 'task_labels' })
@Index({ properties: ['label'] })
@Unique({ properties: ['tenant', 'task', 'label'] }) // leads with the tenant, the distribution key
export class TaskLabel extends TenantScoped {
  [PrimaryKeyProp]?: ['task', 'label'];

  @ManyToOne(() => Task, { primary: true, deleteRule: 'cascade', createForeignKeyConstraint: false })
  task!: Task;

  @ManyToOne(() => Label, { primary: true, deleteRule: 'cascade', createForeignKeyConstraint: false })
  label!: Label;
}
