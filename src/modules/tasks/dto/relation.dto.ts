import { ApiProperty, PickType } from '@nestjs/swagger';
import { IsIn, IsString, Matches } from 'class-validator';
import type { StoredRelationType } from '../entities/task-relation.entity.js';
import type { RelationRow } from '../task-relation.repository.js';
import { TASK_REF_PATTERN } from '../task-ref.js';
import { TaskDto } from './task.dto.js';

/** A relation as seen from one of its tasks: the stored types and their inverse names. */
export const RELATION_TYPES = ['blocks', 'blocked_by', 'relates_to', 'duplicate_of', 'duplicated_by'] as const;
export type RelationType = (typeof RELATION_TYPES)[number];

/** How a relation seen from a task is stored: `A blocked_by B` is `B blocks A`. */
export function storedForm(type: RelationType): { type: StoredRelationType; inverse: boolean } {
  if (type === 'blocked_by') return { type: 'blocks', inverse: true };
  if (type === 'duplicated_by') return { type: 'duplicate_of', inverse: true };
  return { type, inverse: false };
}

/** The name of a stored relation seen from `taskId`, one of its two ends. */
export function relationTypeSeenFrom(row: Pick<RelationRow, 'type' | 'targetId'>, taskId: string): RelationType {
  if (row.type === 'relates_to' || row.targetId !== taskId) return row.type;
  return row.type === 'blocks' ? 'blocked_by' : 'duplicated_by';
}

export class CreateRelationDto {
  /** Read from the task in the path: `blocks` says this task blocks the other one. */
  @ApiProperty({ enum: RELATION_TYPES, enumName: 'RelationType' })
  @IsIn(RELATION_TYPES)
  type!: RelationType;

  /** The other task of the tenant (any project): its id or key. @example YEL-7 */
  @ApiProperty({ pattern: TASK_REF_PATTERN })
  @Matches(new RegExp(TASK_REF_PATTERN), { message: 'must be a task id (UUID) or key such as YEL-42' })
  @IsString()
  task!: string;
}

export class RelatedTaskDto extends PickType(TaskDto, ['id', 'key', 'title', 'status'] as const) {}

export class RelationDto {
  id!: string;
  /** Read from the task of the path: `blocked_by` says the other task blocks it. */
  @ApiProperty({ enum: RELATION_TYPES, enumName: 'RelationType' })
  type!: RelationType;
  /** The task at the other end. */
  task!: RelatedTaskDto;

  static from(row: RelationRow, taskId: string): RelationDto {
    const { id, key, title, status } = row.other;
    return { id: row.id, type: relationTypeSeenFrom(row, taskId), task: { id, key, title, status } };
  }
}

/** A task's relations by how they read from it, each list oldest first. */
export class TaskRelationsDto {
  blocks!: RelationDto[];
  blockedBy!: RelationDto[];
  relatesTo!: RelationDto[];
  duplicateOf!: RelationDto[];
  duplicatedBy!: RelationDto[];

  static from(rows: readonly RelationRow[], taskId: string): TaskRelationsDto {
    const relations = rows.map((row) => RelationDto.from(row, taskId));
    const ofType = (type: RelationType) => relations.filter((relation) => relation.type === type);
    return {
      blocks: ofType('blocks'),
      blockedBy: ofType('blocked_by'),
      relatesTo: ofType('relates_to'),
      duplicateOf: ofType('duplicate_of'),
      duplicatedBy: ofType('duplicated_by'),
    };
  }
}
