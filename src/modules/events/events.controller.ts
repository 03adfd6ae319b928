import { Controller, Get, Headers, Query, Sse, type MessageEvent } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { CurrentMembership, MinimumRole } from '../tenants/minimum-role.decorator.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import { EventListQueryDto, EventPageDto, EventStreamQueryDto, parseLastEventId } from './dto/event.dto.js';
import { EventFeed } from './event-feed.js';

@ApiTags('events')
@Controller('tenants/:tenantId/events')
export class EventsController {
  constructor(private readonly feed: EventFeed) {}

  /**
   * The tenant's events after `after`, oldest first (without `after`: from the oldest kept).
   * With `wait`, an empty answer waits up to that many seconds for the next event. Read on
   * from `nextAfter`.
   */
  @Get()
  @MinimumRole('viewer')
  @ApiOkResponse({ description: 'Events, and where to read on', type: EventPageDto })
  @ApiProblems(400, 401, 410, 429)
  listEvents(
    @CurrentMembership() membership: TenantMembership,
    @Query() query: EventListQueryDto,
  ): Promise<EventPageDto> {
    return this.feed.page(membership.tenantId, query);
  }

  /**
   * The tenant's events as Server-Sent Events (`id: <seq>`, `event: <type>`, `data: <event>`),
   * from `Last-Event-ID` or `after` (or from now), then as they commit on any instance; a
   * comment line every 15 s keeps the connection open.
   */
  @Sse('stream')
  @MinimumRole('viewer')
  @ApiProduces('text/event-stream')
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'Resume after this event (`seq`); wins over `after`',
  })
  @ApiOkResponse({
    description: 'An endless stream of events; each `data` is an `EventDto`',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiProblems(400, 401, 410, 429)
  streamEvents(
    @CurrentMembership() membership: TenantMembership,
    @Query() query: EventStreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
  ): Promise<Observable<MessageEvent>> {
    return this.feed.stream(membership.tenantId, query, parseLastEventId(lastEventId) ?? query.after);
  }
}
