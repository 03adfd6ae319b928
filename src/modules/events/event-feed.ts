import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, type BeforeApplicationShutdown, type MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { EventDto, type EventListQueryDto, type EventPageDto, type EventStreamQueryDto } from './dto/event.dto.js';
import { TenantEvent } from './entities/tenant-event.entity.js';
import { EventNotifications } from './event-notifications.js';
import type { EventFilter, EventRepository, StoredEvent } from './event.repository.js';
import type { EventType } from './event-types.js';
import { EventCursorExpired } from './events.errors.js';

/** A stream sends a comment this often when nothing happens, and looks at the table again. */
export const HEARTBEAT_MS = 15_000;
/** Events a stream reads at once while catching up. */
const STREAM_BATCH = 200;

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

/**
 * Reads a tenant's event log as a feed: pages after a cursor (waiting for the next event
 * if asked) and Server-Sent Event streams. Every read is bounded by the counter read
 * before it: events up to the counter's value have all committed, so a reader that has
 * seen `seq` n has seen every event up to n, whatever commits meanwhile.
 */
@Injectable()
export class EventFeed implements BeforeApplicationShutdown {
  private readonly readers = new Set<Wakeup>();
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
   * Server-Sent Events with their `seq` as id; a comment every `HEARTBEAT_MS`. A cursor past
   * the retention fails before the stream starts.
   */
  async stream(
    tenantId: string,
    query: EventStreamQueryDto,
    after: number | undefined,
  ): Promise<Observable<MessageEvent>> {
    const { lastSeq, purgedThrough } = await this.repository().counter(tenantId);
    if (after !== undefined && after < purgedThrough) throw new EventCursorExpired(after, purgedThrough);
    let cursor = after ?? lastSeq;
    return new Observable<MessageEvent>((subscriber) => {
      const wakeup = new Wakeup();
      const unsubscribe = this.notifications.subscribe(tenantId, wakeup.wake);
      this.readers.add(wakeup);
      const ended = new AbortController();
      const open = () => !ended.signal.aborted && !this.closing;
      const send = (event: StoredEvent) =>
        subscriber.next({ id: String(event.seq), type: event.type, data: EventDto.from(event) });
      void (async () => {
        while (open()) {
          const { lastSeq: through } = await this.repository().counter(tenantId);
          const events = await this.repository().read(tenantId, filterOf(query, cursor), through, STREAM_BATCH);
          for (const event of events) if (open()) send(event);
          cursor = events.length === STREAM_BATCH ? (events.at(-1)?.seq ?? cursor) : Math.max(cursor, through);
          if (events.length === STREAM_BATCH) continue;
          if (!(await wakeup.wait(HEARTBEAT_MS)) && open()) subscriber.next({ comment: 'heartbeat' });
        }
        subscriber.complete();
      })().catch((error: unknown) => subscriber.error(error));
      return () => {
        ended.abort();
        unsubscribe();
        this.readers.delete(wakeup);
        wakeup.wake();
      };
    });
  }

  /** Ends the open streams and long polls, so the server can close. */
  beforeApplicationShutdown(): void {
    this.closing = true;
    for (const reader of this.readers) reader.wake();
  }

  private repository(): EventRepository {
    return this.em.getRepository(TenantEvent);
  }
}
