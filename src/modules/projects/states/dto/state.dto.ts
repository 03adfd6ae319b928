import { ApiProperty, PartialType, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Equals, IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { Optional, TextLength, Trim } from '../../../../common/validation/decorators.js';
import type { StateRow } from '../project-state.repository.js';
import { STATE_CATEGORIES, STATE_KEY_PATTERN, type StateCategory } from '../workflow.js';

export class CreateStateDto {
  /**
   * What tasks carry as their `status`: 1–32 characters `a-z0-9_`, starting with a letter,
   * unique in the project. It never changes.
   * @example qa
   */
  @Matches(new RegExp(STATE_KEY_PATTERN), {
    message: 'must be 1 to 32 lower-case letters, digits or _, starting with a letter',
  })
  @IsString()
  key!: string;

  /** @example "In QA" */
  @Trim()
  @TextLength(1, 50)
  @IsString()
  name!: string;

  /** What the state means; it never changes. `completed` sets a task's `completedAt`. */
  @ApiProperty({ enum: STATE_CATEGORIES, enumName: 'StateCategory' })
  @IsIn(STATE_CATEGORIES)
  category!: StateCategory;

  /** `#rrggbb`, stored lower-case; null for none. @example #6e5494 */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @Matches(/^#[0-9a-f]{6}$/, { message: 'must be a color #rrggbb' })
  @IsString()
  color?: string | null;

  /** Puts the state just before this state (its id) on the board. Default: at the end. */
  @Optional()
  @IsUUID('all', { message: 'must be a state id (a UUID)' })
  moveBefore?: string;

  /** Puts the state just after this state (its id) on the board. */
  @Optional()
  @IsUUID('all', { message: 'must be a state id (a UUID)' })
  moveAfter?: string;
}

export class UpdateStateDto extends PartialType(
  PickType(CreateStateDto, ['name', 'color', 'moveBefore', 'moveAfter'] as const),
  { skipNullProperties: false },
) {
  /** `true` makes this the project's default state (new tasks without a status); the old default stops being it. */
  @Optional()
  @Equals(true, { message: 'can only be true: make another state the default instead' })
  isDefault?: boolean;
}

export class DeleteStateQueryDto {
  /** The state (its id) that the deleted state's tasks move to, at the bottom of its column. */
  @Optional()
  @IsUUID('all', { message: 'must be a state id (a UUID)' })
  moveTo?: string;
}

export class StateDto {
  id!: string;
  /** @example in_progress */
  @ApiProperty({ pattern: STATE_KEY_PATTERN, example: 'in_progress' })
  key!: string;
  /** @example "In progress" */
  name!: string;
  @ApiProperty({ enum: STATE_CATEGORIES, enumName: 'StateCategory' })
  category!: StateCategory;
  /** @example #6e5494 */
  color!: string | null;
  /** Orders the board's columns (compare as plain strings, byte by byte). @example a2 */
  position!: string;
  /** New tasks without a `status` go to the default state; a project has exactly one. */
  isDefault!: boolean;
  createdAt!: Date;

  static from(state: StateRow): StateDto {
    return {
      id: state.id,
      key: state.key,
      name: state.name,
      category: state.category,
      color: state.color,
      position: state.position,
      isDefault: state.isDefault,
      createdAt: state.createdAt,
    };
  }
}

export class StateListDto {
  /** The project's states in board order. */
  data!: StateDto[];
}
