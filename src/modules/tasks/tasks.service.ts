import { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { Injectable } from '@nestjs/common';
import { generateKeyBetween } from 'fractional-indexing';
import { RequestValidationError } from '../../common/http/domain-error.js';
import { assertVersion } from '../../common/http/resource-headers.js';
import type { Page } from '../../common/pagination/page.dto.js';
import type { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { PaginationService } from '../../common/pagination/pagination.service.js';
import { Transactions, TransientConflict } from '../../database/transactions.js';
import { EventLog } from '../events/event-log.js';
import type { FieldChanges } from '../events/event-types.js';
import { Project } from '../projects/entities/project.entity.js';
import { ProjectArchived, ProjectNotFound } from '../projects/projects.errors.js';
import { ProjectState } from '../projects/states/entities/project-state.entity.js';
import type { TaskState } from '../projects/states/project-state.repository.js';
import { hasAtLeast } from '../tenants/roles.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import { appendActivities, appendActivity, type ActivitySubject } from './activity.js';
import { ActivityDto } from './dto/activity.dto.js';
import {
  TASK_SORTS,
  type CreateTaskDto,
  type TaskDto,
  type TaskListQueryDto,
  type TenantTaskListQueryDto,
  type UpdateTaskDto,
} from './dto/task.dto.js';
import { ActivityEvent } from './entities/activity-event.entity.js';
import { Task } from './entities/task.entity.js';
import { placeOnBoard } from './board-placement.js';
import { assertAssignable } from './task-assignees.js';
import { eventChanges, planChange } from './task-change.js';
import { assertParentOf, findNewParent, holdParent, lockTaskTree } from './task-hierarchy.js';
import { holdLabels, linkLabels, replaceLabels } from './task-label-links.js';
import { requireTaskRef, type TaskRef } from './task-ref.js';
import type { TaskFilter, TaskLocation, TaskOrder, TaskRepository } from './task.repository.js';
import { NotTaskReporter, TaskNotFound, UnknownStatus } from './tasks.errors.js';

/** The list order a query asks for: its `sort`, else relevance with `q`, else newest first. */
function orderOf(query: TaskListQueryDto): TaskOrder {
  if (query.sort === undefined) {
    return query.q === undefined ? { field: 'createdAt', descending: true } : { field: 'relevance' };
  }
  const descending = query.sort.startsWith('-');
  const field = TASK_SORTS.find((name) => name === (descending ? query.sort?.slice(1) : query.sort));
  if (!field) throw new RequestValidationError([{ path: 'sort', message: 'is not a sort of this list' }]);
  return { field, descending };
}

@Injectable()
export class TasksService {
  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly pagination: PaginationService,
    private readonly events: EventLog,
  ) {}

  async create(caller: TenantMembership, projectId: string, input: CreateTaskDto): Promise<TaskDto> {
    // Plain statements rather than the unit of work, as in `update`: the task is written once
    // and read back as its DTO, so building, registering and flushing an entity graph buys nothing.
    // Locks in the app's order (see `Transactions`): the assignee's membership, the labels,
    // the project (numbers and bottom positions are handed out in order), then the parent.
    return this.transactions.run(async (em) => {
      const projects = em.getRepository(Project);
      if (!(await projects.exists(caller.tenantId, projectId))) throw new ProjectNotFound();
      const tasks = em.getRepository(Task);
      if (input.assigneeId) await assertAssignable(tasks, caller.tenantId, input.assigneeId);
      if (input.labelIds?.length) await holdLabels(tasks, caller.tenantId, input.labelIds);

      // Read before the project is locked: a state deleted in between fails the insert on the
      // tasks' state foreign key, and the rerun finds it gone.
      const state = await this.stateOf(em, caller.tenantId, projectId, input.status);
      const status = state.key;
      // Also locks the board column the task goes to the bottom of.
      const taken = await projects.takeTaskNumber(caller.tenantId, projectId, status);
      if (taken === null) throw new ProjectNotFound();
      if (taken === 'archived') throw new ProjectArchived();
      if (input.parentId) await holdParent(tasks, caller.tenantId, projectId, input.parentId);
      const last = await tasks.neighbourPosition(caller.tenantId, { projectId, status }, 'before', null, null);
      const id = uuidv7();
      const now = new Date();
      const task = await tasks.insertNew(
        caller.tenantId,
        {
          id,
          projectId,
          key: `${taken.key}-${taken.number}`,
          number: taken.number,
          title: input.title,
          description: input.description ?? null,
          status,
          statusCategory: state.category,
          priority: input.priority ?? 'none',
          assigneeId: input.assigneeId ?? null,
          reporterId: caller.userId,
          dueDate: input.dueDate ?? null,
          parentId: input.parentId ?? null,
          position: generateKeyBetween(last, null),
          completedAt: state.category === 'completed' ? now : null,
          createdAt: now,
        },
        input.labelIds,
      );
      if (input.labelIds?.length) await linkLabels(em, caller.tenantId, id, input.labelIds);
      await appendActivity(em, this.subject(caller, projectId, id), [{ action: 'created' }]);
      this.events.record(caller, { type: 'task.created', projectId, data: { task } });
      return task;
    });
  }

  /** A project's tasks (404 for a project that is not there, rather than an empty list). */
  async listInProject(caller: TenantMembership, projectId: string, query: TaskListQueryDto): Promise<Page<TaskDto>> {
    if (!(await this.em.getRepository(Project).exists(caller.tenantId, projectId))) throw new ProjectNotFound();
    return this.list(caller, projectId, query);
  }

  list(caller: TenantMembership, projectId: string | undefined, query: TenantTaskListQueryDto): Promise<Page<TaskDto>> {
    const filter: TaskFilter = {
      projectId: projectId ?? query.projectId,
      statuses: query.status,
      statusCategories: query.statusCategory,
      priorities: query.priority,
      assigneeId: query.assigneeId === 'me' ? caller.userId : query.assigneeId === 'none' ? null : query.assigneeId,
      labelIds: query.labelId,
      parentId: query.parentId === 'none' ? null : query.parentId,
      dueBefore: query.dueBefore,
      dueAfter: query.dueAfter,
      q: query.q,
      blocked: query.blocked,
    };
    const order = orderOf(query);
    return this.pagination.page(
      query,
      {
        scope: caller.tenantId,
        list: projectId === undefined ? 'tasks' : `tasks:project=${projectId}`,
        sort: query.sort ?? (query.q === undefined ? '-createdAt' : 'relevance'),
        // The caller's id stands in for `me`: a cursor of one caller's "mine" is not another's.
        filters: { ...filter, caller: query.assigneeId === 'me' ? caller.userId : undefined },
      },
      (window) => this.em.getRepository(Task).findPage(caller.tenantId, filter, order, window),
      (task) => task,
    );
  }

  async get(caller: TenantMembership, ref: string | TaskRef): Promise<TaskDto> {
    const task = await this.em
      .getRepository(Task)
      .findDto(caller.tenantId, typeof ref === 'string' ? requireTaskRef(ref) : ref);
    if (!task) throw new TaskNotFound();
    return task;
  }

  async update(caller: TenantMembership, ref: string, input: UpdateTaskDto, ifMatch?: number): Promise<TaskDto> {
    const moves = [input.moveBefore, input.moveAfter, input.moveTo].filter((move) => move !== undefined);
    if (moves.length > 1) {
      throw new RequestValidationError([
        { path: 'moveBefore', message: 'moveBefore, moveAfter and moveTo exclude each other' },
      ]);
    }
    // Native statements on a locked row rather than the unit of work: hydrating the task and
    // computing its change set was a third of the CPU of a PATCH, for a one-row UPDATE.
    // Locks in the app's order (see `Transactions`): the new assignee's membership, the
    // labels, the project (only to re-parent: tree changes of a project run one at a time),
    // the board column (for a move or a status change), the task, then the new parent.
    return this.transactions.run(async (em) => {
      const tasks = em.getRepository(Task);
      if (input.assigneeId) await assertAssignable(tasks, caller.tenantId, input.assigneeId);
      if (input.labelIds?.length) await holdLabels(tasks, caller.tenantId, input.labelIds);
      if (input.parentId) await lockTaskTree(em, caller.tenantId, await this.locate(tasks, caller, ref));
      // Explicit moves in the current column lock it first; a status change locks the new one
      // in the statement that locks the task.
      const column =
        moves.length > 0 && input.status === undefined
          ? await tasks.lockColumnFor(caller.tenantId, requireTaskRef(ref))
          : null;
      // A status change also locks the new column and holds the state, in the same statement.
      const locked =
        input.status === undefined
          ? { task: await tasks.lockForChange(caller.tenantId, requireTaskRef(ref), 'change'), into: null }
          : await tasks.lockForStatusChange(caller.tenantId, requireTaskRef(ref), input.status);
      const task = locked?.task;
      if (!task) throw new TaskNotFound();
      // Moved to another column between the two locks: the column lock is the wrong one.
      if (column && input.status === undefined && column.status !== task.status) {
        throw new TransientConflict('The task changed column meanwhile');
      }
      assertVersion(ifMatch, task.version);

      if (input.parentId && input.parentId !== task.parentId) {
        assertParentOf(task, await findNewParent(tasks, caller.tenantId, input.parentId));
      }
      const statusChanged = input.status !== undefined && input.status !== task.status;
      // Held until the end (`lockForStatusChange`): the state cannot be deleted before this task is in it.
      const state = statusChanged ? locked.into : { key: task.status, category: task.statusCategory };
      if (!state) throw await this.unknownStatus(em, caller.tenantId, task.projectId);
      const position =
        moves.length > 0 || statusChanged
          ? await placeOnBoard(tasks, caller.tenantId, task, state.key, input)
          : undefined;
      const now = new Date();
      const { changes, written } = planChange(task, input, state, position, now);
      if (input.labelIds !== undefined)
        changes.push(...(await replaceLabels(em, caller.tenantId, task.id, input.labelIds)));
      // Nothing changed, nothing written: the version (and ETag) stays. A label change alone
      // still moves the version on, as the labels are part of the task.
      if (changes.length === 0) return this.read(em, caller, task.id);

      const updated = await tasks.applyChanges(caller.tenantId, task.id, written, now);
      await appendActivity(em, this.subject(caller, task.projectId, task.id), changes);
      this.events.record(caller, {
        type: 'task.updated',
        projectId: task.projectId,
        data: { task: updated, changes: eventChanges(changes, updated.labelIds) },
      });
      return updated;
    });
  }

  /** Deletes a task (members: only those they reported); its sub-tasks lose their parent. */
  async delete(caller: TenantMembership, ref: string, ifMatch?: number): Promise<void> {
    await this.transactions.run(async (em) => {
      const tasks = em.getRepository(Task);
      // The project first: no sub-task can be created or moved under the task meanwhile.
      await lockTaskTree(em, caller.tenantId, await this.locate(tasks, caller, ref));
      const task = await tasks.lockForChange(caller.tenantId, requireTaskRef(ref), 'delete');
      if (!task) throw new TaskNotFound();
      assertVersion(ifMatch, task.version);
      if (!hasAtLeast(caller.role, 'admin') && task.reporterId !== caller.userId) throw new NotTaskReporter();
      const last = await this.read(em, caller, task.id);
      const children = await tasks.detachChildren(caller.tenantId, task.id, new Date());
      await appendActivities(em, [
        ...children.map((child) => ({
          subject: this.subject(caller, child.projectId, child.id),
          change: { action: 'updated' as const, field: 'parentId', from: task.id, to: null },
        })),
        {
          subject: this.subject(caller, task.projectId, task.id),
          change: { action: 'deleted', field: 'key', from: task.key },
        },
      ]);
      // Comments and label links go with it (ON DELETE CASCADE); its history stays.
      await em.nativeDelete(Task, { id: task.id });
      await this.recordUpdates(em, caller, children, { parentId: { from: task.id, to: null } });
      this.events.record(caller, { type: 'task.deleted', projectId: task.projectId, data: { task: last } });
    });
  }

  /** A task's history, newest first. */
  async activity(caller: TenantMembership, ref: string, query: PageQueryDto): Promise<Page<ActivityDto>> {
    const task = await this.get(caller, ref);
    return this.pagination.page(
      query,
      { scope: caller.tenantId, list: `activity:task=${task.id}`, sort: '-at' },
      (window) =>
        this.em.findByCursor(ActivityEvent, {
          ...window,
          where: { taskId: task.id },
          orderBy: { createdAt: 'desc', id: 'desc' },
        }),
      (event) => ActivityDto.from(event),
    );
  }

  /**
   * Unassigns a user's tasks in a tenant, inside the caller's transaction `em`: when they
   * leave it, are removed, or become a viewer. One statement; each task records the change.
   */
  async unassignMember(em: EntityManager, caller: TenantMembership, userId: string): Promise<void> {
    const unassigned = await em.getRepository(Task).unassignAll(caller.tenantId, userId, new Date());
    await appendActivities(
      em,
      unassigned.map((task) => ({
        subject: this.subject(caller, task.projectId, task.id),
        change: { action: 'updated', field: 'assigneeId', from: userId, to: null },
      })),
    );
    await this.recordUpdates(em, caller, unassigned, { assigneeId: { from: userId, to: null } });
  }

  /**
   * Records a `task.updated` event for each of `changed` (tasks changed by one statement in
   * `em`'s transaction), with the task as it is now and `changes` (alike, or of each task).
   */
  async recordUpdates(
    em: EntityManager,
    caller: TenantMembership,
    changed: readonly { id: string }[],
    changes: FieldChanges | ((task: TaskDto) => FieldChanges),
  ): Promise<void> {
    if (changed.length === 0) return;
    const tasks = await em.getRepository(Task).findDtos(
      caller.tenantId,
      changed.map((task) => task.id),
    );
    this.events.record(
      caller,
      ...tasks.map((task) => ({
        type: 'task.updated' as const,
        projectId: task.projectId,
        data: { task, changes: typeof changes === 'function' ? changes(task) : changes },
      })),
    );
  }

  /** A task as its DTO, read in the transaction `em` (it exists: the caller holds it). */
  private async read(em: EntityManager, caller: TenantMembership, id: string): Promise<TaskDto> {
    const task = await em.getRepository(Task).findDto(caller.tenantId, { id });
    if (!task) throw new TaskNotFound();
    return task;
  }

  /**
   * Moves the tasks of a project's state `fromKey` into state `to`, inside the caller's
   * transaction `em` (a state being deleted): at the bottom of its column in their order,
   * each with its activity, its event and a new version. The caller holds the project and the target
   * column's lock.
   */
  async moveStateTasks(
    em: EntityManager,
    caller: TenantMembership,
    projectId: string,
    fromKey: string,
    to: TaskState,
  ): Promise<void> {
    const moved = await em
      .getRepository(Task)
      .moveColumn(caller.tenantId, { projectId, status: fromKey }, to, new Date());
    await appendActivities(
      em,
      moved.map((task) => ({
        subject: this.subject(caller, task.projectId, task.id),
        change: { action: 'updated', field: 'status', from: fromKey, to: to.key },
      })),
    );
    await this.recordUpdates(em, caller, moved, { status: { from: fromKey, to: to.key } });
  }

  /** The project's state of key `key` (its default state for `undefined`), or a 400 listing the project's keys. */
  private async stateOf(
    em: EntityManager,
    tenantId: string,
    projectId: string,
    key: string | undefined,
  ): Promise<TaskState> {
    const state = await em.getRepository(ProjectState).findTaskState(tenantId, projectId, key);
    if (state) return state;
    throw await this.unknownStatus(em, tenantId, projectId);
  }

  /** The 400 of a status the project has no state for: it lists the project's keys. */
  private async unknownStatus(em: EntityManager, tenantId: string, projectId: string): Promise<UnknownStatus> {
    const states = await em.getRepository(ProjectState).listOf(tenantId, projectId);
    return new UnknownStatus(states.map((known) => known.key));
  }

  private async locate(tasks: TaskRepository, caller: TenantMembership, ref: string): Promise<TaskLocation> {
    const location = await tasks.locate(caller.tenantId, requireTaskRef(ref));
    if (!location) throw new TaskNotFound();
    return location;
  }

  private subject(caller: TenantMembership, projectId: string, taskId: string): ActivitySubject {
    return { tenantId: caller.tenantId, projectId, taskId, actorId: caller.userId };
  }
}
