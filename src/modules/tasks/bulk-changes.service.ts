import { Injectable } from '@nestjs/common';
import { DomainError, RequestValidationError, type DomainErrorKind } from '../../common/http/domain-error.js';
import { problemFor } from '../../common/http/problem-details.filter.js';
import { Transactions } from '../../database/transactions.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import type { BulkTaskChangeDto, BulkTaskChangeResultDto, BulkTaskResultDto } from './dto/bulk-change.dto.js';
import { Project } from '../projects/entities/project.entity.js';
import { requireTaskRef } from './task-ref.js';
import { BulkChangeFailed, TaskNotFound } from './tasks.errors.js';
import { TasksService, type TaskUpdate } from './tasks.service.js';

const KIND_BY_STATUS: Readonly<Record<number, DomainErrorKind>> = {
  400: 'invalid',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  422: 'unprocessable',
};

/** One task of a bulk change: where it was in the request, what it was called, what it is. */
interface Item {
  index: number;
  ref: string;
  id: string | undefined;
  projectId: string | undefined;
}

/**
 * Changes many tasks with one request, each exactly as a `PATCH` of the named fields would
 * (validation, activity, events, a new version), without If-Match. Tasks are changed in id
 * order, and the projects a re-parenting locks are locked first, in id order too: two bulk
 * changes over the same tasks take their locks in the same order and never deadlock.
 */
@Injectable()
export class BulkChangesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly tasks: TasksService,
  ) {}

  async apply(caller: TenantMembership, input: BulkTaskChangeDto): Promise<BulkTaskChangeResultDto> {
    const set = input.set;
    const update: TaskUpdate = {
      // Only the fields given: a field absent from `set` is absent here, and stays as it is.
      ...(set?.status !== undefined && { status: set.status }),
      ...(set?.priority !== undefined && { priority: set.priority }),
      ...(set?.assigneeId !== undefined && { assigneeId: set.assigneeId }),
      ...(set?.dueDate !== undefined && { dueDate: set.dueDate }),
      ...(set?.parentId !== undefined && { parentId: set.parentId }),
      ...(input.addLabelIds && { addLabelIds: input.addLabelIds }),
      ...(input.removeLabelIds && { removeLabelIds: input.removeLabelIds }),
    };
    if (Object.keys(update).length === 0) {
      throw new RequestValidationError([
        { path: 'set', message: 'name at least one field to set, or labels to add or remove' },
      ]);
    }
    const both = input.addLabelIds?.filter((id) => input.removeLabelIds?.includes(id)) ?? [];
    if (both.length > 0) {
      throw new RequestValidationError([{ path: 'removeLabelIds', message: 'must not name a label also added' }]);
    }
    const items = await this.locate(caller, input.tasks);
    const ordered = [...items].sort((a, b) => ((a.id ?? '') < (b.id ?? '') ? -1 : 1));
    const results: BulkTaskResultDto[] = items.map(({ ref }) => ({ task: ref, status: 0 }));

    if (input.atomic ?? true) {
      const missing = items.filter((item) => item.id === undefined);
      if (missing.length > 0) throw failed(missing.map((item) => failure(item, new TaskNotFound())));
      await this.transactions.run(async (em) => {
        if (update.parentId !== undefined) {
          const projects = [...new Set(ordered.map((item) => item.projectId ?? ''))].sort();
          for (const projectId of projects) await em.getRepository(Project).lock(caller.tenantId, projectId);
        }
        for (const item of ordered) {
          try {
            const data = await this.tasks.update(caller, item.id ?? item.ref, update);
            results[item.index] = { task: item.ref, status: 200, data };
          } catch (error) {
            if (error instanceof DomainError) throw failed([failure(item, error)]);
            throw error;
          }
        }
      });
      return { results };
    }

    for (const item of ordered) {
      try {
        if (item.id === undefined) throw new TaskNotFound();
        results[item.index] = { task: item.ref, status: 200, data: await this.tasks.update(caller, item.id, update) };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const problem = problemFor(error);
        results[item.index] = { task: item.ref, status: problem.status, problem };
      }
    }
    return { results };
  }

  /** The tasks of the request, found by id or key in one read (unknown ones without an id). */
  private async locate(caller: TenantMembership, refs: readonly string[]): Promise<Item[]> {
    const parsed = refs.map((ref, index) => ({ ref, index, parsed: requireTaskRef(ref, `tasks.${index}`) }));
    const found = await this.tasks.locateMany(
      caller,
      parsed.map((item) => item.parsed),
    );
    // Another tenant's task, or none: the same 404, whichever it is.
    return parsed.map(({ ref, index, parsed: taskRef }) => {
      const task = found.find((candidate) =>
        'id' in taskRef ? candidate.id === taskRef.id : candidate.key === taskRef.key,
      );
      return { index, ref, id: task?.id, projectId: task?.projectId };
    });
  }
}

function failure(item: Item, error: DomainError): { index: number; task: string; status: number; detail: string } {
  const { status, detail } = problemFor(error);
  return { index: item.index, task: item.ref, status, detail };
}

function failed(failures: { index: number; task: string; status: number; detail: string }[]): BulkChangeFailed {
  return new BulkChangeFailed(KIND_BY_STATUS[failures[0]?.status ?? 409] ?? 'conflict', failures);
}
