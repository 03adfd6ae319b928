import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';
import { EVENTS_CHANNEL } from './event.repository.js';

/** After a lost connection, listening starts again this much later. */
const RECONNECT_DELAY_MS = 1_000;

type Wake = () => void;

/**
 * Wakes the readers of a tenant's events when a commit on any instance appended some:
 * one connection per instance LISTENs on the channel the appending transaction notifies
 * (opened with the first reader). The notification is only a signal; readers read the
 * table. It can be missed (a lost connection): on reconnecting every reader is woken to
 * catch up, and streams also look at the table at every heartbeat.
 */
@Injectable()
export class EventNotifications implements OnApplicationShutdown {
  private readonly logger = new Logger(EventNotifications.name);
  private readonly readers = new Map<string, Set<Wake>>();
  private client: pg.Client | undefined;
  private connecting = false;
  private reconnect: NodeJS.Timeout | undefined;
  private readonly shutdown = new AbortController();

  constructor(@InjectAppConfig() private readonly config: AppConfig) {}

  /** Calls `wake` whenever events of the tenant may have been appended; returns the unsubscribe. */
  subscribe(tenantId: string, wake: Wake): () => void {
    const readers = this.readers.get(tenantId) ?? new Set<Wake>();
    this.readers.set(tenantId, readers);
    readers.add(wake);
    void this.listen();
    return () => {
      readers.delete(wake);
      if (readers.size === 0) this.readers.delete(tenantId);
    };
  }

  onApplicationShutdown(): Promise<void> | undefined {
    this.shutdown.abort();
    clearTimeout(this.reconnect);
    this.wakeAll();
    const client = this.client;
    this.client = undefined;
    return client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    if (this.client || this.connecting || this.stopped()) return;
    this.connecting = true;
    const client = new pg.Client({ connectionString: this.config.database.url, application_name: 'yello-events' });
    client.on('error', (error) => this.lost(client, error));
    client.on('notification', ({ payload }) => {
      const tenantId = payload?.slice(0, payload.indexOf(':')) ?? '';
      for (const wake of this.readers.get(tenantId) ?? []) wake();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (this.stopped()) {
        await client.end();
        return;
      }
      this.client = client;
      // Whatever committed while nobody listened: the readers look at the table again.
      this.wakeAll();
    } catch (error) {
      this.logger.debug(`listening for events failed: ${String(error)}`);
      client.end().catch(() => undefined);
      this.listenLater();
    } finally {
      this.connecting = false;
    }
  }

  private lost(client: pg.Client, error: Error): void {
    this.logger.debug(`event notifications connection lost: ${error.message}`);
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.wakeAll();
    this.listenLater();
  }

  private listenLater(): void {
    if (this.stopped() || this.readers.size === 0) return;
    clearTimeout(this.reconnect);
    this.reconnect = setTimeout(() => void this.listen(), RECONNECT_DELAY_MS);
    this.reconnect.unref();
  }

  private stopped(): boolean {
    return this.shutdown.signal.aborted;
  }

  private wakeAll(): void {
    for (const readers of this.readers.values()) for (const wake of readers) wake();
  }
}
