import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { RequestValidationError } from '../../../common/http/domain-error.js';
import { CommaList, Optional } from '../../../common/validation/decorators.js';
import type { StoredEvent } from '../event.repository.js';
import { EVENT_TYPES, type EventType } from '../event-types.js';

/** `task.*` and the like: every type of one entity. */
export const EVENT_TYPE_PATTERNS = [...new Set(EVENT_TYPES.map((type) => `${type.slice(0, type.indexOf('.'))}.*`))];
const TYPE_FILTERS = [...EVENT_TYPES, ...EVENT_TYPE_PATTERNS];

export class EventActorDto {
  /** The member who made the change; null for a change Yello made itself (a webhook disabled). */
  userId!: string | null;
  /** The API token the member acted with, if they did. */
  tokenId?: string;
}

export class EventDto {
  id!: string;
  /** The event's place in the tenant's log: every event up to it committed before it. @example 1042 */
  @ApiProperty({ type: 'integer' })
  seq!: number;
  @ApiProperty({ enum: EVENT_TYPES, enumName: 'EventType' })
  type!: EventType;
  occurredAt!: Date;
  actor!: EventActorDto;
  /** The project the change belongs to, if it belongs to one. */
  projectId!: string | null;
  /**
   * The entity after the change, by its name (`task`, `project`, `comment`, `label`, `relation`,
   * `state`, `member`, `apiToken`, `webhook`), and for updates `changes` as `{field: {from, to}}`.
   */
  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: Record<string, unknown>;

  static from(event: StoredEvent): EventDto {
    return {
      id: event.id,
      seq: event.seq,
      type: event.type,
      occurredAt: event.occurredAt,
      actor: { userId: event.actorUserId, ...(event.actorTokenId !== null && { tokenId: event.actorTokenId }) },
      projectId: event.projectId,
      data: { ...event.data },
    };
  }
}

export class EventPageDto {
  /** Oldest first. */
  data!: EventDto[];
  /** The `after` of the next read: every event up to it was looked at (those filtered out too). @example 1042 */
  @ApiProperty({ type: 'integer' })
  nextAfter!: number;
}

/** Which events of the tenant a stream or a read wants. */
export class EventStreamQueryDto {
  /** Events after this `seq` (`nextAfter`, or the `id` of the last event received). */
  @ApiPropertyOptional({ type: 'integer' })
  @IsOptional()
  @Type(() => Number)
  @Min(0)
  @IsInt()
  after?: number;

  /**
   * Comma list of types, or `entity.*` patterns (`task.*`), or the parameter repeated.
   * @example ["task.*", "comment.created"]
   */
  @Optional()
  @CommaList()
  @ArrayMaxSize(TYPE_FILTERS.length)
  @IsIn(TYPE_FILTERS, { each: true })
  types?: string[];

  /** Only the events of this project. */
  @IsOptional()
  @IsUUID('all')
  projectId?: string;
}

export class EventListQueryDto extends EventStreamQueryDto {
  /** How many events at most. */
  @ApiPropertyOptional({ type: 'integer' })
  @IsOptional()
  @Type(() => Number)
  @Min(1)
  @Max(500)
  @IsInt()
  limit?: number = 100;

  /** Seconds to wait for an event when there is none yet (long poll), up to 30. */
  @ApiPropertyOptional({ type: 'integer' })
  @IsOptional()
  @Type(() => Number)
  @Min(0)
  @Max(30)
  @IsInt()
  wait?: number = 0;
}

/** The `Last-Event-ID` a reconnecting client sends: the `seq` of the last event it received. */
export function parseLastEventId(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seq = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (Number.isNaN(seq)) {
    throw new RequestValidationError([{ path: 'Last-Event-ID', message: 'must be the id (seq) of an event' }]);
  }
  return seq;
}
