import { DeferMode, EntityRepositoryType, OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { CompositeForeignKeys } from '../../../database/mikro-orm.options.js';
import { Project } from '../../projects/entities/project.entity.js';
import { TenantScoped } from '../../tenants/entities/tenant-scoped.entity.js';
import { User } from '../../users/entities/user.entity.js';
import { TaskRepository } from '../task.repository.js';
import { STATE_CATEGORIES, type StateCategory } from '../../projects/states/workflow.js';
import { TASK_PRIORITIES, type TaskPriority } from '../task-fields.js';

/** A task of a project, numbered per project (`YEL-42`), ordered in its status column by `position`. */
// Tenant-inclusive references: a task's project, parent and assignee are of its own tenant.
@CompositeForeignKeys(
  {
    name: 'tasks_tenant_project_foreign',
    columns: ['tenant_id', 'project_id'],
    references: { table: 'projects', columns: ['tenant_id', 'id'] },
    deleteRule: 'cascade',
  },
  {
    name: 'tasks_tenant_parent_foreign',
    columns: ['tenant_id', 'parent_id'],
    references: { table: 'tasks', columns: ['tenant_id', 'id'] },
    deleteRule: 'set null (parent_id)',
  },
  {
    name: 'tasks_tenant_assignee_foreign',
    columns: ['tenant_id', 'assignee_id'],
    references: { table: 'memberships', columns: ['tenant_id', 'user_id'] },
    deleteRule: 'set null (assignee_id)',
  },
  // Its status is a state of its project, with that state's category: a state with tasks
  // cannot be deleted, and a task cannot enter a state that is gone.
  {
    name: 'tasks_tenant_state_foreign',
    columns: ['tenant_id', 'project_id', 'status', 'status_category'],
    references: { table: 'project_states', columns: ['tenant_id', 'project_id', 'key', 'category'] },
  },
)
@Entity({ tableName: 'tasks', repository: () => TaskRepository })
@Unique({ properties: ['tenant', 'id'] })
@Unique({ properties: ['tenant', 'key'] })
@Unique({ properties: ['project', 'number'] })
// One task per board position; deferrable so a column can be rebalanced in one statement.
@Unique({ properties: ['tenant', 'project', 'status', 'position'], deferMode: DeferMode.INITIALLY_IMMEDIATE })
@Index({ properties: ['tenant', 'project', 'createdAt', 'id'] })
@Index({ properties: ['tenant', 'createdAt', 'id'] })
@Index({ properties: ['project', 'status', 'position', 'id'] })
@Index({ properties: ['tenant', 'project', 'updatedAt', 'id'] })
@Index({ properties: ['tenant', 'updatedAt', 'id'] })
@Index({ properties: ['tenant', 'project', 'priority', 'id'] })
@Index({ properties: ['tenant', 'priority', 'id'] })
@Index({ properties: ['tenant', 'status', 'position', 'id'] })
// The due-date orders sort missing dates last both ways: one expression per direction.
@Index({
  name: 'tasks_tenant_id_due_asc_id_index',
  expression: `create index "tasks_tenant_id_due_asc_id_index" on "tasks" ("tenant_id", coalesce("due_date", 'infinity'::date), "id")`,
})
@Index({
  name: 'tasks_tenant_id_due_desc_id_index',
  expression: `create index "tasks_tenant_id_due_desc_id_index" on "tasks" ("tenant_id", coalesce("due_date", '-infinity'::date), "id")`,
})
@Index({
  name: 'tasks_tenant_id_project_id_due_asc_id_index',
  expression: `create index "tasks_tenant_id_project_id_due_asc_id_index" on "tasks" ("tenant_id", "project_id", coalesce("due_date", 'infinity'::date), "id")`,
})
@Index({
  name: 'tasks_tenant_id_project_id_due_desc_id_index',
  expression: `create index "tasks_tenant_id_project_id_due_desc_id_index" on "tasks" ("tenant_id", "project_id", coalesce("due_date", '-infinity'::date), "id")`,
})
@Index({ properties: ['tenant', 'assignee'] })
@Index({ properties: ['parent'] })
export class Task extends TenantScoped {
  [EntityRepositoryType]?: TaskRepository;

  [OptionalProps]?:
    | 'id'
    | 'description'
    | 'priority'
    | 'assignee'
    | 'dueDate'
    | 'parent'
    | 'completedAt'
    | 'version'
    | 'createdAt'
    | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Project, { deleteRule: 'cascade', createForeignKeyConstraint: false })
  project!: Project;

  /** `YEL-42`: the project's key (immutable) and the number, kept for one-index lookups. */
  @Property({ length: 21 })
  key!: string;

  @Property({ type: 'integer' })
  number!: number;

  @Property({ length: 500 })
  title!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  /** The key of a workflow state of the task's project. */
  @Property({ type: 'text' })
  status!: string;

  /** The category of that state, kept on the task (a state's category never changes). */
  @Enum({ items: () => STATE_CATEGORIES, nativeEnumName: 'state_category' })
  statusCategory!: StateCategory;

  @Enum({ items: () => TASK_PRIORITIES, nativeEnumName: 'task_priority' })
  priority: TaskPriority = 'none';

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  assignee: User | null = null;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  reporter!: User | null;

  @Property({ type: 'date', nullable: true })
  dueDate: string | null = null;

  @ManyToOne(() => Task, { nullable: true, deleteRule: 'set null', createForeignKeyConstraint: false })
  parent: Task | null = null;

  /** Fractional-index key ordering the task inside its status column (byte order: collation "C"). */
  @Property({ type: 'text', collation: 'C' })
  position!: string;

  /**
   * Full-text vector over the title (weight A) and the description (B), computed and stored
   * by PostgreSQL; only `TaskRepository`'s SQL reads it (GIN-indexed). Lazy and hidden: never
   * loaded with a task, never serialized.
   */
  @Index({ name: 'tasks_search_index', type: 'gin' })
  @Property({
    columnType: 'tsvector',
    generated: `(setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', coalesce(description, '')), 'B')) stored`,
    nullable: true,
    lazy: true,
    hidden: true,
  })
  search?: string;

  @Property({ type: 'datetime', nullable: true })
  completedAt: Date | null = null;

  @Property({ version: true })
  version!: number;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
