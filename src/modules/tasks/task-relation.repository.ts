import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { taskRelationsLock } from '../../database/advisory-locks.js';
import { SqlRepository } from '../../database/typed-sql.js';
import type { StoredRelationType, TaskRelation } from './entities/task-relation.entity.js';

/** A task as a relation shows it. */
export interface RelatedTask {
  id: string;
  key: string;
  title: string;
  status: string;
  projectId: string;
}

/** A stored relation, with the task at its other end (seen from `taskId` of the query). */
export interface RelationRow {
  id: string;
  type: StoredRelationType;
  sourceId: string;
  targetId: string;
  other: RelatedTask;
}

export interface NewRelation {
  type: StoredRelationType;
  sourceId: string;
  targetId: string;
  createdBy: string;
}

/** Relations between tasks: every statement names the tenant. */
export class TaskRelationRepository extends SqlRepository<TaskRelation> {
  /** Takes the tenant's relations lock (see `taskRelationsLock`) until the transaction ends. */
  async lockRelations(tenantId: string): Promise<void> {
    await this.sql().selectNoFrom(taskRelationsLock(tenantId)).execute();
  }

  /**
   * The tasks, held `FOR KEY SHARE` in id order until the transaction ends: a relation about
   * to reference them cannot lose one to a concurrent delete, which waits or came first.
   */
  async holdTasks(tenantId: string, ids: readonly string[]): Promise<RelatedTask[]> {
    return this.sql()
      .selectFrom('tasks')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids)
      .orderBy('id')
      .select(['id', 'key', 'title', 'status', 'project_id as projectId'])
      .forKeyShare()
      .execute();
  }

  async findId(tenantId: string, type: StoredRelationType, sourceId: string, targetId: string): Promise<string | null> {
    const row = await this.sql()
      .selectFrom('task_relations')
      .where('tenant_id', '=', tenantId)
      .where('source_id', '=', sourceId)
      .where('type', '=', type)
      .where('target_id', '=', targetId)
      .select('id')
      .executeTakeFirst();
    return row?.id ?? null;
  }

  /** Whether `taskId` is already marked the duplicate of a task. */
  async isDuplicate(tenantId: string, taskId: string): Promise<boolean> {
    const row = await this.sql()
      .selectFrom('task_relations')
      .where('tenant_id', '=', tenantId)
      .where('source_id', '=', taskId)
      .where('type', '=', 'duplicate_of')
      .select('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Whether `from` blocks `to`, directly or through other tasks (at any depth). */
  async blocksTransitively(tenantId: string, from: string, to: string): Promise<boolean> {
    const row = await this.sql()
      .withRecursive('reached(id)', (db) =>
        db
          .selectFrom('task_relations')
          .where('tenant_id', '=', tenantId)
          .where('type', '=', 'blocks')
          .where('source_id', '=', from)
          .select('target_id as id')
          .union((next) =>
            next
              .selectFrom('task_relations as r')
              .innerJoin('reached', 'reached.id', 'r.source_id')
              .where('r.tenant_id', '=', tenantId)
              .where('r.type', '=', 'blocks')
              .select('r.target_id as id'),
          ),
      )
      .selectFrom('reached')
      .where('id', '=', to)
      .select(sql<number>`1`.as('found'))
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async add(tenantId: string, relation: NewRelation): Promise<string> {
    const row = await this.sql()
      .insertInto('task_relations')
      .values({
        id: uuidv7(),
        tenant_id: tenantId,
        type: relation.type,
        source_id: relation.sourceId,
        target_id: relation.targetId,
        created_by_id: relation.createdBy,
        created_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** The task's relations (either end), oldest first, each with the task at its other end. */
  async listFor(tenantId: string, taskId: string, relationId?: string): Promise<RelationRow[]> {
    const rows = await this.sql()
      .selectFrom('task_relations as r')
      .innerJoin('tasks as o', (join) =>
        join
          .onRef('o.tenant_id', '=', 'r.tenant_id')
          .on(sql<boolean>`o.id = case when r.source_id = ${taskId}::uuid then r.target_id else r.source_id end`),
      )
      .where('r.tenant_id', '=', tenantId)
      .where((eb) => eb.or([eb('r.source_id', '=', taskId), eb('r.target_id', '=', taskId)]))
      .$if(relationId !== undefined, (query) => query.where('r.id', '=', relationId ?? ''))
      .orderBy('r.created_at')
      .orderBy('r.id')
      .select([
        'r.id',
        'r.type',
        'r.source_id as sourceId',
        'r.target_id as targetId',
        'o.id as otherId',
        'o.key',
        'o.title',
        'o.status',
        'o.project_id as projectId',
      ])
      .execute();
    return rows.map(({ otherId, key, title, status, projectId, ...relation }) => ({
      ...relation,
      other: { id: otherId, key, title, status, projectId },
    }));
  }

  /** Deletes one relation of the task; the row as it was, or null when there was none. */
  async deleteOf(tenantId: string, taskId: string, relationId: string): Promise<RelationRow | null> {
    const [relation] = await this.listFor(tenantId, taskId, relationId);
    if (!relation) return null;
    const deleted = await this.sql()
      .deleteFrom('task_relations')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', relationId)
      .executeTakeFirst();
    // Of two concurrent deletes, one removes it and records it.
    return deleted.numDeletedRows > 0n ? relation : null;
  }
}
