import type { StoredEvent } from './event.repository.js';

/** Events the tail reads at once. */
export const TAIL_BATCH = 500;

/** A stream following a tenant's log: how far it is, what it wants, where its events go. */
export interface TailReader {
  cursor: number;
  wants(event: StoredEvent): boolean;
  deliver(event: StoredEvent): void;
  fail(error: unknown): void;
}

/** Reads the events after `after` up to the tenant's last committed one (`through`), at most `TAIL_BATCH`. */
export type ReadAfter = (after: number) => Promise<{ events: StoredEvent[]; through: number }>;

/**
 * The open streams of one tenant on this instance, fed by one reader: each wake-up reads
 * the events after the stream furthest behind once, and hands every stream those after its
 * own cursor that it wants. A thousand streams cost one read per commit, not a thousand.
 */
export class TenantTail {
  readonly readers = new Set<TailReader>();
  private running = false;
  private again = false;

  constructor(private readonly read: ReadAfter) {}

  /** Something may have committed (or a reader joined): read, unless a read is running (then read again after it). */
  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.drain().finally(() => {
      this.running = false;
    });
  }

  private async drain(): Promise<void> {
    do {
      for (;;) {
        // Only the readers present when the read starts take part: one joining meanwhile may
        // be behind what this read starts from, and is served by the next read.
        const readers = [...this.readers];
        if (readers.length === 0) return;
        const after = Math.min(...readers.map((reader) => reader.cursor));
        let batch: Awaited<ReturnType<ReadAfter>>;
        try {
          batch = await this.read(after);
        } catch (error) {
          for (const reader of readers) reader.fail(error);
          return;
        }
        for (const event of batch.events) {
          for (const reader of readers) {
            if (event.seq <= reader.cursor) continue;
            if (reader.wants(event)) reader.deliver(event);
            reader.cursor = event.seq;
          }
        }
        if (batch.events.length < TAIL_BATCH) {
          for (const reader of readers) reader.cursor = Math.max(reader.cursor, batch.through);
          break;
        }
      }
    } while (this.takeAgain());
  }

  /** Whether a wake-up came during the read, clearing it. */
  private takeAgain(): boolean {
    const again = this.again;
    this.again = false;
    return again;
  }
}
