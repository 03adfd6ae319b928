import { ApiProperty, OmitType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  Matches,
  ValidateNested,
} from 'class-validator';
import { ProblemDetailsDto } from '../../../common/openapi/problem-details.dto.js';
import { Optional } from '../../../common/validation/decorators.js';
import { TASK_REF_PATTERN } from '../task-ref.js';
import { LabelIds, TaskDto, UpdateTaskDto } from './task.dto.js';

export const MAX_BULK_TASKS = 100;

/** The fields a bulk change sets on every task (only those given change). */
export class BulkTaskFieldsDto extends PickType(UpdateTaskDto, [
  'status',
  'priority',
  'assigneeId',
  'dueDate',
  'parentId',
] as const) {}

export class BulkTaskChangeDto {
  /** The tasks to change, by id or key: 1 to 100, each once. @example ["YEL-12", "YEL-14"] */
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_TASKS)
  @ArrayUnique({ message: 'must not repeat a task' })
  @Matches(new RegExp(TASK_REF_PATTERN), { each: true, message: 'must be task ids (UUIDs) or keys such as YEL-42' })
  @IsString({ each: true })
  @IsArray()
  tasks!: string[];

  /** Fields set on every task; fields not given stay as they are. */
  @Optional()
  @ValidateNested()
  @Type(() => BulkTaskFieldsDto)
  set?: BulkTaskFieldsDto;

  /** Labels added to every task (a task keeps its other labels). */
  @LabelIds()
  addLabelIds?: string[];

  /** Labels taken off every task that carries them. */
  @LabelIds()
  removeLabelIds?: string[];

  /** `true` (default): all or nothing. `false`: each task on its own, each result says how it went. */
  @IsOptional()
  @IsBoolean()
  atomic?: boolean = true;
}

/** A problem document of one item of a bulk change (the request's id is the answer's). */
export class BulkItemProblemDto extends OmitType(ProblemDetailsDto, ['requestId'] as const) {}

export class BulkTaskResultDto {
  /** The task reference, as sent. @example YEL-12 */
  task!: string;
  /** The status this task's change alone would have had. @example 200 */
  @ApiProperty({ type: 'integer' })
  status!: number;
  /** The task after the change. */
  data?: TaskDto;
  /** Why this task was not changed (`atomic: false`). */
  problem?: BulkItemProblemDto;
}

export class BulkTaskChangeResultDto {
  /** One per task, in the order sent. */
  results!: BulkTaskResultDto[];
}
