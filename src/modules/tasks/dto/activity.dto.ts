import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../../../common/pagination/page.dto.js';
import { ACTIVITY_ACTIONS, type ActivityAction, type ActivityEvent } from '../entities/activity-event.entity.js';

/** One entry of a task's history. */
export class ActivityDto {
  id!: string;
  /** Who did it (null once that account is gone). */
  actorId!: string | null;
  @ApiProperty({ enum: ACTIVITY_ACTIONS, enumName: 'ActivityAction' })
  action!: ActivityAction;
  /**
   * The changed field (`status`, `assigneeId`, …) of an `updated` entry; `labelIds` for
   * label entries and `comment` for comment entries.
   * @example status
   */
  field!: string | null;
  /** The value before (null when there was none). @example todo */
  from!: string | null;
  /** The value after (null when there is none). @example in_progress */
  to!: string | null;
  at!: Date;

  static from(event: ActivityEvent): ActivityDto {
    return {
      id: event.id,
      actorId: event.actor?.id ?? null,
      action: event.action,
      field: event.field,
      from: event.from,
      to: event.to,
      at: event.createdAt,
    };
  }
}

export class ActivityPageDto extends PageOf(ActivityDto) {}
