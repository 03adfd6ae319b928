import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions.js';
import { EventLog } from '../events/event-log.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import { appendActivities, type ActivityEntry } from './activity.js';
import {
  RelationDto,
  relationTypeSeenFrom,
  storedForm,
  TaskRelationsDto,
  type CreateRelationDto,
} from './dto/relation.dto.js';
import { TaskRelation } from './entities/task-relation.entity.js';
import { Task } from './entities/task.entity.js';
import type { TaskLocation } from './task.repository.js';
import type { RelationRow } from './task-relation.repository.js';
import { requireTaskRef } from './task-ref.js';
import { AlreadyDuplicate, BlocksCycle, InvalidTaskReference, RelationNotFound, TaskNotFound } from './tasks.errors.js';

const NOT_IN_TENANT = 'is not a task of this tenant';

@Injectable()
export class RelationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly events: EventLog,
  ) {}

  /**
   * Relates the task to another one; the same relation again is answered with the one that
   * exists (`created: false`). Relation writes of a tenant take its relations lock first
   * (see the README's lock order): a `blocks` cycle is checked with no other edge being
   * added meanwhile, and two equal requests cannot both insert.
   */
  async create(
    caller: TenantMembership,
    taskRef: string,
    input: CreateRelationDto,
  ): Promise<{ relation: RelationDto; created: boolean }> {
    const task = await this.locate(caller, taskRef);
    const other = await this.em.getRepository(Task).locate(caller.tenantId, requireTaskRef(input.task, 'task'));
    if (!other) throw new InvalidTaskReference('task', NOT_IN_TENANT);
    if (other.id === task.id) throw new InvalidTaskReference('task', 'must be another task than the one in the path');
    const { type, inverse } = storedForm(input.type);
    // `relates_to` has no direction: stored once, from the smaller id.
    const [sourceId, targetId] =
      inverse || (type === 'relates_to' && other.id < task.id) ? [other.id, task.id] : [task.id, other.id];

    return this.transactions.run(async (em) => {
      const relations = em.getRepository(TaskRelation);
      await relations.lockRelations(caller.tenantId);
      const held = await relations.holdTasks(caller.tenantId, [task.id, other.id]);
      if (!held.some(({ id }) => id === task.id)) throw new TaskNotFound();
      const otherTask = held.find(({ id }) => id === other.id);
      if (!otherTask) throw new InvalidTaskReference('task', NOT_IN_TENANT);

      const existing = await relations.findId(caller.tenantId, type, sourceId, targetId);
      if (existing === null) {
        if (type === 'blocks' && (await relations.blocksTransitively(caller.tenantId, targetId, sourceId)))
          throw new BlocksCycle();
        if (type === 'duplicate_of' && (await relations.isDuplicate(caller.tenantId, sourceId)))
          throw new AlreadyDuplicate();
      }
      const id =
        existing ?? (await relations.add(caller.tenantId, { type, sourceId, targetId, createdBy: caller.userId }));
      // Both ends are held: the relation is what was found or written, the other task as held.
      const row: RelationRow = { id, type, sourceId, targetId, other: otherTask };
      if (existing === null) {
        await appendActivities(em, bothSides(caller, task, row, 'relation_added'));
        this.recordEvent(caller, 'relation.created', task, row);
      }
      return { relation: RelationDto.from(row, task.id), created: existing === null };
    });
  }

  async list(caller: TenantMembership, taskRef: string): Promise<TaskRelationsDto> {
    const task = await this.locate(caller, taskRef);
    const rows = await this.em.getRepository(TaskRelation).listFor(caller.tenantId, task.id);
    return TaskRelationsDto.from(rows, task.id);
  }

  async get(caller: TenantMembership, taskRef: string, relationId: string): Promise<RelationDto> {
    const task = await this.locate(caller, taskRef);
    const [row] = await this.em.getRepository(TaskRelation).listFor(caller.tenantId, task.id, relationId);
    if (!row) throw new RelationNotFound();
    return RelationDto.from(row, task.id);
  }

  async delete(caller: TenantMembership, taskRef: string, relationId: string): Promise<void> {
    const task = await this.locate(caller, taskRef);
    await this.transactions.run(async (em) => {
      const row = await em.getRepository(TaskRelation).deleteOf(caller.tenantId, task.id, relationId);
      if (!row) throw new RelationNotFound();
      await appendActivities(em, bothSides(caller, task, row, 'relation_removed'));
      this.recordEvent(caller, 'relation.deleted', task, row);
    });
  }

  /** A relation's event, as stored (`sourceId` `type` `targetId`), in the project of its source. */
  private recordEvent(
    caller: TenantMembership,
    type: 'relation.created' | 'relation.deleted',
    task: TaskLocation,
    row: RelationRow,
  ): void {
    const projectId = row.sourceId === task.id ? task.projectId : row.other.projectId;
    const relation = { id: row.id, type: row.type, sourceId: row.sourceId, targetId: row.targetId };
    this.events.record(caller, { type, projectId, data: { relation } });
  }

  /** The task of the path (its id and project), or a 404. */
  private async locate(caller: TenantMembership, taskRef: string): Promise<TaskLocation> {
    const task = await this.em.getRepository(Task).locate(caller.tenantId, requireTaskRef(taskRef));
    if (!task) throw new TaskNotFound();
    return task;
  }
}

/** One event on each task of the relation (`task`, the path's, and the other), each naming it as it reads from there. */
function bothSides(
  caller: TenantMembership,
  task: { id: string; projectId: string },
  row: RelationRow,
  action: 'relation_added' | 'relation_removed',
): ActivityEntry[] {
  const sides = [
    { taskId: task.id, projectId: task.projectId, otherId: row.other.id },
    { taskId: row.other.id, projectId: row.other.projectId, otherId: task.id },
  ];
  return sides.map(({ taskId, projectId, otherId }) => ({
    subject: { tenantId: caller.tenantId, projectId, taskId, actorId: caller.userId },
    change: {
      action,
      field: relationTypeSeenFrom(row, taskId),
      ...(action === 'relation_added' ? { to: otherId } : { from: otherId }),
    },
  }));
}
