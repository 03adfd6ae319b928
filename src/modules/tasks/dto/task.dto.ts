import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { PageOf } from '../../../common/pagination/page.dto.js';
import { PageQueryDto } from '../../../common/pagination/page-query.dto.js';
import { CommaList, Optional, QueryBoolean, TextLength, Trim } from '../../../common/validation/decorators.js';
import {
  MAX_STATES_PER_PROJECT,
  STATE_CATEGORIES,
  STATE_KEY_PATTERN,
  type StateCategory,
} from '../../projects/states/workflow.js';
import { TASK_PRIORITIES, type TaskPriority } from '../task-fields.js';

export const MAX_LABELS_PER_TASK = 20;
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
/** `YYYY-MM-DD` with a year from 0001: PostgreSQL has no year 0. */
export const CALENDAR_DATE = /^(?!0000)\d{4}-\d{2}-\d{2}$/;

/** A calendar date `YYYY-MM-DD` that exists (no February 30th). */
export const IsCalendarDate = (): PropertyDecorator =>
  applyDecorators(
    ApiProperty({ type: String, format: 'date' }),
    IsISO8601({ strict: true }, { message: 'must be a real calendar date' }),
    Matches(CALENDAR_DATE, { message: 'must be a date YYYY-MM-DD' }),
  );

/** An optional list of label ids: at most 20, each once. */
export const LabelIds = (): PropertyDecorator =>
  applyDecorators(
    Optional(),
    ArrayMaxSize(MAX_LABELS_PER_TASK),
    ArrayUnique({ message: 'must not repeat a label' }),
    IsUUID('all', { each: true, message: 'must be label ids (UUIDs)' }),
    IsArray(),
  );

export class CreateTaskDto {
  /** @example "Draft the launch announcement" */
  @Trim()
  @TextLength(1, 500)
  @IsString()
  title!: string;

  /**
   * Markdown, up to 50 000 characters, stored as given; null clears it.
   * @example "Cover the **three** headline features."
   */
  @IsOptional()
  @TextLength(0, 50_000)
  @IsString()
  description?: string | null;

  /**
   * The key of a workflow state of the project (`GET …/projects/{projectId}/states`); an
   * unknown key is a 400 listing the project's keys. Default: the project's default state
   * (`todo` unless changed). Entering a `completed` state sets `completedAt`; leaving it clears it.
   * @example in_progress
   */
  @Optional()
  @Matches(new RegExp(STATE_KEY_PATTERN), { message: 'must be a state key of the project' })
  @IsString()
  status?: string;

  /** Default `none`. */
  @Optional()
  @IsIn(TASK_PRIORITIES)
  priority?: TaskPriority;

  /** A member of the tenant with role member or above; null for nobody. */
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  assigneeId?: string | null;

  /** @example 2026-12-24 */
  @IsOptional()
  @IsCalendarDate()
  @IsString()
  dueDate?: string | null;

  /** Labels of the tenant, at most 20. */
  @LabelIds()
  labelIds?: string[];

  /** A task of the same project (its sub-task this becomes); null for none. */
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  parentId?: string | null;
}

export const MOVE_TO = ['top', 'bottom'] as const;

export class UpdateTaskDto extends PartialType(CreateTaskDto, { skipNullProperties: false }) {
  /**
   * Moves the task in its status column (after a status change: in the new one) to just
   * before this task (UUID or key) of the same column. Only this task is written.
   * @example YEL-7
   */
  @Optional()
  @MaxLength(64)
  @IsString()
  moveBefore?: string;

  /** Like `moveBefore`, just after the given task. @example YEL-3 */
  @Optional()
  @MaxLength(64)
  @IsString()
  moveAfter?: string;

  /** Moves the task to the top or the bottom of its status column. */
  @Optional()
  @IsIn(MOVE_TO)
  moveTo?: (typeof MOVE_TO)[number];
}

export class TaskDto {
  id!: string;
  /** @example YEL-42 */
  key!: string;
  projectId!: string;
  /** @example "Draft the launch announcement" */
  title!: string;
  description!: string | null;
  /** The key of a workflow state of the task's project. @example in_progress */
  @ApiProperty({ pattern: STATE_KEY_PATTERN, example: 'in_progress' })
  status!: string;
  /** The category of that state. */
  @ApiProperty({ enum: STATE_CATEGORIES, enumName: 'StateCategory' })
  statusCategory!: StateCategory;
  @ApiProperty({ enum: TASK_PRIORITIES, enumName: 'TaskPriority' })
  priority!: TaskPriority;
  assigneeId!: string | null;
  /** Who created the task (null once that account is gone). */
  reporterId!: string | null;
  /** @example 2026-12-24 */
  @ApiProperty({ format: 'date', type: String, nullable: true })
  dueDate!: string | null;
  labelIds!: string[];
  parentId!: string | null;
  /** Orders tasks inside a status column (compare as plain strings, byte by byte). @example a0 */
  position!: string;
  /** When the task last entered a `completed` state; null while it is in another one. */
  completedAt!: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
  /** Also sent as the `ETag`; `If-Match` on PATCH and DELETE compares with it. */
  version!: number;
}

export class TaskPageDto extends PageOf(TaskDto) {}

export const TASK_SORTS = ['position', 'createdAt', 'updatedAt', 'dueDate', 'priority'] as const;
export type TaskSortField = (typeof TASK_SORTS)[number];
const SORT_VALUES = TASK_SORTS.flatMap((field) => [field, `-${field}`]);

/** Filters and sort of a project's task list. */
export class TaskListQueryDto extends PageQueryDto {
  /**
   * Comma list of state keys, or the parameter repeated.
   * @example ["todo", "in_progress"]
   */
  @Optional()
  @CommaList()
  @ArrayMaxSize(MAX_STATES_PER_PROJECT)
  @Matches(new RegExp(STATE_KEY_PATTERN), { each: true, message: 'must be state keys' })
  @IsString({ each: true })
  status?: string[];

  /**
   * Tasks in a state of these categories: a comma list, or the parameter repeated.
   * @example ["unstarted", "started"]
   */
  @Optional()
  @CommaList()
  @ArrayMaxSize(STATE_CATEGORIES.length)
  @IsIn(STATE_CATEGORIES, { each: true })
  statusCategory?: StateCategory[];

  /**
   * Comma list of priorities, or the parameter repeated.
   * @example ["high", "urgent"]
   */
  @Optional()
  @CommaList()
  @ArrayMaxSize(TASK_PRIORITIES.length)
  @IsIn(TASK_PRIORITIES, { each: true })
  priority?: TaskPriority[];

  /** A user id, `me` (the caller) or `none` (unassigned). */
  @ApiPropertyOptional({ pattern: `^(me|none|${UUID})$`, example: 'me' })
  @Optional()
  @Matches(new RegExp(`^(me|none|${UUID})$`), {
    message: 'must be a user id, me or none',
  })
  @IsString()
  assigneeId?: string;

  /** Tasks carrying any of these labels: a comma list, or the parameter repeated. */
  @Optional()
  @CommaList()
  @ArrayMaxSize(MAX_LABELS_PER_TASK)
  @IsUUID('all', { each: true, message: 'must be label ids (UUIDs)' })
  labelId?: string[];

  /** Sub-tasks of this task id, or `none` for top-level tasks. */
  @ApiPropertyOptional({ pattern: `^(none|${UUID})$`, example: 'none' })
  @Optional()
  @Matches(new RegExp(`^(none|${UUID})$`), {
    message: 'must be a task id or none',
  })
  @IsString()
  parentId?: string;

  /** Due strictly before this date. @example 2026-12-31 */
  @Optional()
  @IsCalendarDate()
  @IsString()
  dueBefore?: string;

  /** Due strictly after this date. @example 2026-12-01 */
  @Optional()
  @IsCalendarDate()
  @IsString()
  dueAfter?: string;

  /**
   * Full-text search over title and description (web search syntax: `"exact phrase"`,
   * `or`, `-word`). Without `sort`, results come best match first among the 200 newest
   * matches, then older matches newest first.
   */
  @Optional()
  @TextLength(1, 200)
  @IsString()
  q?: string;

  /**
   * `true`: only tasks that some open task blocks (a blocker not in a `completed` or `canceled` state);
   * `false`: only tasks that none does.
   */
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  blocked?: boolean;

  /**
   * `position` (the project's state order, then place in the column), `createdAt`, `updatedAt`, `dueDate`
   * (tasks without one last, both ways), `priority` (none < low < medium < high < urgent);
   * `-` for descending. Default `-createdAt`, or relevance with `q`.
   */
  @ApiPropertyOptional({ enum: SORT_VALUES })
  @Optional()
  @IsIn(SORT_VALUES)
  sort?: string;
}

/** The tenant-wide task list takes the same filters, plus a project. */
export class TenantTaskListQueryDto extends TaskListQueryDto {
  /** Tasks of this project only. */
  @Optional()
  @IsUUID('all', { message: 'must be a UUID' })
  projectId?: string;
}
