import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError, RequestValidationError, type DomainErrorKind } from '../../common/http/domain-error.js';
import { problemFor } from '../../common/http/problem-details.filter.js';
import { Transactions } from '../../database/transactions.js';
import { EventLog } from '../events/event-log.js';
import { Project } from '../projects/entities/project.entity.js';
import { ProjectState } from '../projects/states/entities/project-state.entity.js';
import type { TaskState } from '../projects/states/project-state.repository.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import { appendActivities } from './activity.js';
import { placeAtBottom } from './board-placement.js';
import type {
  BulkTaskChangeDto,
  BulkTaskChangeResultDto,
  BulkTaskFieldsDto,
  BulkTaskResultDto,
} from './dto/bulk-change.dto.js';
import type { TaskDto } from './dto/task.dto.js';
import { Task } from './entities/task.entity.js';
import { assertAssignable } from './task-assignees.js';
import { eventChanges, planChange } from './task-change.js';
import { assertParentOf, findNewParent } from './task-hierarchy.js';
import {
  addAndRemove,
  holdLabels,
  labelActivity,
  labelChange,
  linkLabelsOfTasks,
  unlinkLabels,
  type LabelChange,
} from './task-label-links.js';
import { requireTaskRef } from './task-ref.js';
import type { TaskChanges, TaskLocation } from './task.repository.js';
import { BulkChangeFailed, TaskNotFound, UnknownStatus } from './tasks.errors.js';

const KIND_BY_STATUS: Readonly<Record<number, DomainErrorKind>> = {
  400: 'invalid',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  422: 'unprocessable',
};

/** One task of a bulk change: where it was in the request, what it was called, the task it names (if any). */
interface Item {
  index: number;
  ref: string;
  task: TaskLocation | undefined;
}

/** What the request asks of every task. Label ids in lower case, as they are read back. */
interface BulkChange {
  fields: BulkTaskFieldsDto;
  add: readonly string[];
  remove: readonly string[];
}

/** How one task went: as it is now, or why it was not changed. */
type Outcome = { data: TaskDto } | { error: DomainError };

/** A task that passed every check, and what happens to it. */
interface Accepted {
  task: TaskDto;
  state: TaskState;
  labels: LabelChange;
}

/** An item of an atomic change's refusal. */
interface Failure {
  index: number;
  task: string;
  status: number;
  detail: string;
}

/**
 * Changes many tasks with one request, each exactly as a `PATCH` of the named fields would
 * (the same checks and answers, activity, events, a new version), without If-Match, and with
 * a fixed number of statements whatever the number of tasks: the references are checked
 * once (assignee, labels, parent, each project's state), all the tasks are locked in one
 * statement in id order, every task is checked in memory against what was read, and the
 * accepted ones are written together (label links, one UPDATE, one activity insert; the
 * events are appended at commit). Locks in the app's order: the assignee's membership, the
 * labels, the projects (to re-parent), the board columns entered, the tasks in id order, then
 * the new parent and the states entered. Two bulk changes over the same tasks never deadlock.
 */
@Injectable()
export class BulkChangesService {
  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly events: EventLog,
  ) {}

  async apply(caller: TenantMembership, input: BulkTaskChangeDto): Promise<BulkTaskChangeResultDto> {
    const change: BulkChange = {
      fields: input.set ?? {},
      add: input.addLabelIds?.map((id) => id.toLowerCase()) ?? [],
      remove: input.removeLabelIds?.map((id) => id.toLowerCase()) ?? [],
    };
    // Only the fields given: a field absent from `set` stays as it is.
    if (
      Object.values(change.fields).every((value) => value === undefined) &&
      !input.addLabelIds &&
      !input.removeLabelIds
    ) {
      throw new RequestValidationError([
        { path: 'set', message: 'name at least one field to set, or labels to add or remove' },
      ]);
    }
    if (change.add.some((id) => change.remove.includes(id))) {
      throw new RequestValidationError([{ path: 'removeLabelIds', message: 'must not name a label also added' }]);
    }
    const items = await this.locate(caller, input.tasks);
    const atomic = input.atomic ?? true;
    if (atomic) {
      const missing = items.filter((item) => item.task === undefined);
      if (missing.length > 0) throw failed(missing.map((item) => failure(item, new TaskNotFound())));
    }
    const outcomes = await this.transactions.run((em) => this.change(em, caller, change, items, atomic));
    return { results: items.map((item) => resultOf(item, item.task && outcomes.get(item.task.id))) };
  }

  /**
   * The change in `em`'s transaction: how each task went, by id. `atomic`: the first task (in
   * id order) that cannot be changed throws, and nothing is written.
   */
  private async change(
    em: EntityManager,
    caller: TenantMembership,
    { fields, add, remove }: BulkChange,
    items: readonly Item[],
    atomic: boolean,
  ): Promise<Map<string, Outcome>> {
    const { tenantId } = caller;
    const tasks = em.getRepository(Task);
    const outcomes = new Map<string, Outcome>();
    // In id order, each task once (a task named both by id and by key is changed once).
    const distinct = new Map<string, { id: string; projectId: string; item: Item }>();
    for (const item of items) {
      if (item.task && !distinct.has(item.task.id)) distinct.set(item.task.id, { ...item.task, item });
    }
    const ordered = [...distinct.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    const refuse = ({ id, item }: { id: string; item: Item }, error: unknown): void => {
      if (!(error instanceof DomainError)) throw error;
      if (atomic) throw failed([failure(item, error)]);
      outcomes.set(id, { error });
    };

    try {
      if (fields.assigneeId) await assertAssignable(tasks, tenantId, fields.assigneeId);
      if (add.length > 0) await holdLabels(tasks, tenantId, add);
    } catch (error) {
      // A reference every task shares: each task fails alike (atomic: the first).
      for (const named of ordered) refuse(named, error);
      return outcomes;
    }
    const projectIds = [...new Set(ordered.map(({ projectId }) => projectId))].sort();
    if (fields.parentId) await em.getRepository(Project).lockAll(tenantId, projectIds);
    if (fields.status !== undefined) await tasks.lockColumns(tenantId, projectIds, fields.status);
    const locked = await tasks.lockAllForChange(
      tenantId,
      ordered.map(({ id }) => id),
    );
    const lockedById = new Map(locked.map((task) => [task.id, task]));
    const newParent = fields.parentId;
    const parent =
      newParent && locked.some((task) => task.parentId !== newParent)
        ? await findNewParent(tasks, tenantId, newParent)
        : null;
    const stateOf = await this.statesEntered(em, tenantId, fields.status, locked);

    const accepted: Accepted[] = [];
    for (const named of ordered) {
      try {
        // Gone since it was found.
        const task = lockedById.get(named.id);
        if (!task) throw new TaskNotFound();
        if (newParent && newParent !== task.parentId) assertParentOf(task, parent);
        const state = await stateOf(task);
        const labels = labelChange(task.labelIds, addAndRemove(task.labelIds, add, remove));
        accepted.push({ task, state, labels });
      } catch (error) {
        refuse(named, error);
      }
    }

    const entering = accepted.filter(({ task, state }) => state.key !== task.status).map(({ task }) => task);
    const positions =
      fields.status !== undefined && entering.length > 0
        ? await placeAtBottom(tasks, tenantId, fields.status, entering)
        : new Map<string, string>();
    const now = new Date();
    const writes = accepted.flatMap(({ task, state, labels }) => {
      const position = positions.get(task.id);
      const { changes } = planChange(task, fields, state, position, now);
      changes.push(...labelActivity(labels));
      // Nothing changed, nothing written: the version stays.
      if (changes.length === 0) outcomes.set(task.id, { data: task });
      return changes.length === 0 ? [] : [{ task, state, position, labels, changes }];
    });
    if (writes.length === 0) return outcomes;

    await unlinkLabels(
      em,
      tenantId,
      writes.filter(({ labels }) => labels.removed.length > 0).map(({ task }) => task.id),
      remove,
    );
    await linkLabelsOfTasks(
      em,
      tenantId,
      writes.map(({ task, labels }) => ({ taskId: task.id, labelIds: labels.added })),
    );
    const updated = await tasks.applyToMany(
      tenantId,
      commonFields(fields),
      writes.map(({ task, state, position }) => ({
        id: task.id,
        ...(position !== undefined && { entering: { ...state, position } }),
      })),
      now,
    );
    await appendActivities(
      em,
      writes.flatMap(({ task, changes }) =>
        changes.map((change) => ({
          subject: { tenantId, projectId: task.projectId, taskId: task.id, actorId: caller.userId },
          change,
        })),
      ),
    );
    const changesOf = new Map(writes.map(({ task, changes }) => [task.id, changes]));
    updated.sort((a, b) => (a.id < b.id ? -1 : 1));
    this.events.record(
      caller,
      ...updated.map((task) => ({
        type: 'task.updated' as const,
        projectId: task.projectId,
        data: { task, changes: eventChanges(changesOf.get(task.id) ?? [], task.labelIds) },
      })),
    );
    for (const task of updated) outcomes.set(task.id, { data: task });
    return outcomes;
  }

  /**
   * The state each of `tasks` is in after the change: the state `key` of its project, held
   * until the transaction ends, for those that change state (all held in one statement); a
   * 400 listing the project's keys when the project has no such state.
   */
  private async statesEntered(
    em: EntityManager,
    tenantId: string,
    key: string | undefined,
    tasks: readonly TaskDto[],
  ): Promise<(task: TaskDto) => Promise<TaskState>> {
    const states = em.getRepository(ProjectState);
    const projectIds = [...new Set(tasks.filter((task) => task.status !== key).map((task) => task.projectId))];
    const held = key === undefined ? [] : await states.holdTaskStates(tenantId, projectIds, key);
    const byProject = new Map(held.map((state) => [state.projectId, { key: state.key, category: state.category }]));
    const unknown = new Map<string, UnknownStatus>();
    return async (task) => {
      if (key === undefined || key === task.status) return { key: task.status, category: task.statusCategory };
      const state = byProject.get(task.projectId);
      if (state) return state;
      const refusal =
        unknown.get(task.projectId) ??
        new UnknownStatus((await states.listOf(tenantId, task.projectId)).map((known) => known.key));
      unknown.set(task.projectId, refusal);
      throw refusal;
    };
  }

  /** The tasks of the request, found by id or key in one read (unknown ones without a task). */
  private async locate(caller: TenantMembership, refs: readonly string[]): Promise<Item[]> {
    const parsed = refs.map((ref, index) => ({ ref, index, parsed: requireTaskRef(ref, `tasks.${index}`) }));
    const found = await this.em.getRepository(Task).locateMany(
      caller.tenantId,
      parsed.map((item) => item.parsed),
    );
    // Another tenant's task, or none: the same 404, whichever it is.
    return parsed.map(({ ref, index, parsed: taskRef }) => {
      const task = found.find((candidate) =>
        'id' in taskRef ? candidate.id === taskRef.id : candidate.key === taskRef.key,
      );
      return { index, ref, task: task && { id: task.id, projectId: task.projectId } };
    });
  }
}

/** The fields every task gets alike (a state and a position are each task's own). */
function commonFields(fields: BulkTaskFieldsDto): TaskChanges {
  return {
    ...(fields.priority !== undefined && { priority: fields.priority }),
    ...(fields.assigneeId !== undefined && { assigneeId: fields.assigneeId }),
    ...(fields.dueDate !== undefined && { dueDate: fields.dueDate }),
    ...(fields.parentId !== undefined && { parentId: fields.parentId }),
  };
}

function resultOf(item: Item, outcome: Outcome | undefined): BulkTaskResultDto {
  if (outcome && 'data' in outcome) return { task: item.ref, status: 200, data: outcome.data };
  const problem = problemFor(outcome?.error ?? new TaskNotFound());
  return { task: item.ref, status: problem.status, problem };
}

function failure(item: Item, error: DomainError): Failure {
  const { status, detail } = problemFor(error);
  return { index: item.index, task: item.ref, status, detail };
}

function failed(failures: Failure[]): BulkChangeFailed {
  return new BulkChangeFailed(KIND_BY_STATUS[failures[0]?.status ?? 409] ?? 'conflict', failures);
}
