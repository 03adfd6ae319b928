import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, type BeforeApplicationShutdown, type MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { EventDto, type EventListQueryDto, type EventPageDto, type EventStreamQueryDto } from './dto/event.dto.js';
import { TenantEvent } from './entities/tenant-event.entity.js';
import { EventNotifications } from './event-notifications.js';
import type { EventFilter, EventRepository, StoredEvent } from './event.repository.js';
import { TAIL_BATCH, TenantTail, type TailReader } from './event-tail.js';
import type { EventType } from './event-types.js';
import { EventCursorExpired } from './events.errors.js';

/** A stream sends a comment this often when nothing happens, and looks at the table again. */
export const HEARTBEAT_MS = 15_000;

/** A latch a reader waits on: set by a notification, cleared by the read that follows it. */
class Wakeup {
  private pending = false;
  private resolve: (() => void) | undefined;

  readonly wake = (): void => {
    this.pending = true;
    this.resolve?.();
  };

  /** Resolves at the next wake (at once if one came since the last wait), or after `ms`: true if woken. */
  async wait(ms: number): Promise<boolean> {
    if (!this.pending) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.resolve = resolve;
        timer = setTimeout(resolve, ms);
      });
      clearTimeout(timer);
      this.resolve = undefined;
    }
    const woken = this.pending;
    this.pending = false;
    return woken;
  }
}

function filterOf(query: EventStreamQueryDto, after: number): EventFilter {
  const types = query.types ?? [];
  return {
    after,
    projectId: query.projectId,
    types:
      types.length === 0
        ? undefined
        : {
            exact: types.filter((type): type is EventType => !type.endsWith('.*')),
            entities: types.filter((type) => type.endsWith('.*')).map((pattern) => pattern.slice(0, -2)),
          },
  };
}

/** Whether `event` passes `filter`'s types and project (as `EventRepository.read` selects). */
function matches(filter: EventFilter, event: StoredEvent): boolean {
  if (filter.projectId !== undefined && event.projectId !== filter.projectId) return false;
  if (!filter.types) return true;
  const entity = event.type.slice(0, event.type.indexOf('.'));
  return filter.types.exact.includes(event.type) || filter.types.entities.includes(entity);
}

/**
 * Reads a tenant's event log as a feed: pages after a cursor (waiting for the next event
 * if asked) and Server-Sent Event streams. Every read is bounded by the counter read
 * before it: events up to the counter's value have all committed, so a reader that has
 * seen `seq` n has seen every event up to n, whatever commits meanwhile.
 */
@Injectable()
export class EventFeed implements BeforeApplicationShutdown {
  private readonly readers = new Set<Wakeup>();
  private readonly tails = new Map<string, { tail: TenantTail; unsubscribe: () => void }>();
  private readonly streamEnds = new Set<() => void>();
  private closing = false;

  constructor(
    private readonly em: EntityManager,
    private readonly notifications: EventNotifications,
  ) {}

  async page(tenantId: string, query: EventListQueryDto): Promise<EventPageDto> {
    const limit = query.limit ?? 100;
    const deadline = Date.now() + (query.wait ?? 0) * 1000;
    const wakeup = new Wakeup();
    const unsubscribe = query.wait ? this.notifications.subscribe(tenantId, wakeup.wake) : undefined;
    this.readers.add(wakeup);
    try {
      for (;;) {
        const { lastSeq, purgedThrough } = await this.repository().counter(tenantId);
        const after = query.after ?? purgedThrough;
        if (after < purgedThrough) throw new EventCursorExpired(after, purgedThrough);
        const events = await this.repository().read(tenantId, filterOf(query, after), lastSeq, limit);
        const remaining = deadline - Date.now();
        if (events.length > 0 || remaining <= 0 || this.closing) {
          const nextAfter = events.length === limit ? (events.at(-1)?.seq ?? after) : Math.max(after, lastSeq);
          return { data: events.map((event) => EventDto.from(event)), nextAfter };
        }
        await wakeup.wait(remaining);
      }
    } finally {
      unsubscribe?.();
      this.readers.delete(wakeup);
    }
  }

  /**
   * The tenant's events after `after` (or from now), then each event as it commits, as
   * Server-Sent Events with their `seq` as id; a comment every `HEARTBEAT_MS`, which also
   * looks at the table again. A cursor past the retention fails before the stream starts.
   */
  async stream(
    tenantId: string,
    query: EventStreamQueryDto,
    after: number | undefined,
  ): Promise<Observable<MessageEvent>> {
    const { lastSeq, purgedThrough } = await this.repository().counter(tenantId);
    if (after !== undefined && after < purgedThrough) throw new EventCursorExpired(after, purgedThrough);
    const wanted = filterOf(query, 0);
    return new Observable<MessageEvent>((subscriber) => {
      const reader: TailReader = {
        cursor: after ?? lastSeq,
        wants: (event) => matches(wanted, event),
        deliver: (event) => subscriber.next({ id: String(event.seq), type: event.type, data: EventDto.from(event) }),
        fail: (error) => subscriber.error(error),
      };
      const tail = this.tailOf(tenantId);
      tail.readers.add(reader);
      tail.wake();
      const heartbeat = setInterval(() => {
        subscriber.next({ comment: 'heartbeat' });
        tail.wake();
      }, HEARTBEAT_MS);
      const end = () => subscriber.complete();
      this.streamEnds.add(end);
      return () => {
        clearInterval(heartbeat);
        this.streamEnds.delete(end);
        tail.readers.delete(reader);
        if (tail.readers.size === 0) this.closeTail(tenantId, tail);
      };
    });
  }

  /** Ends the open streams and long polls, so the server can close. */
  beforeApplicationShutdown(): void {
    this.closing = true;
    for (const reader of this.readers) reader.wake();
    for (const end of [...this.streamEnds]) end();
  }

  /** The tenant's tail, started (and woken by its commits) with its first stream. */
  private tailOf(tenantId: string): TenantTail {
    const open = this.tails.get(tenantId);
    if (open) return open.tail;
    const tail = new TenantTail(async (after) => {
      const { lastSeq: through } = await this.repository().counter(tenantId);
      return { events: await this.repository().read(tenantId, { after }, through, TAIL_BATCH), through };
    });
    this.tails.set(tenantId, { tail, unsubscribe: this.notifications.subscribe(tenantId, () => tail.wake()) });
    return tail;
  }

  private closeTail(tenantId: string, tail: TenantTail): void {
    const open = this.tails.get(tenantId);
    if (open?.tail !== tail) return;
    open.unsubscribe();
    this.tails.delete(tenantId);
  }

  private repository(): EventRepository {
    return this.em.getRepository(TenantEvent);
  }
}
