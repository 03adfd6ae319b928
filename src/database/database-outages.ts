import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

/** How often the database is pinged during an outage, to notice it is back. */
const PROBE_INTERVAL_MS = 1_000;
/** A long outage is summarised this often, not once per request. */
const SUMMARY_INTERVAL_MS = 60_000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describe(cause: unknown): string {
  if (typeof cause !== 'object' || cause === null) return String(cause);
  const code: unknown = Reflect.get(cause, 'code');
  const message: unknown = Reflect.get(cause, 'message');
  return [typeof code === 'string' ? code : '', typeof message === 'string' ? message : ''].filter(Boolean).join(' ');
}

/**
 * Logs a database outage as requests see it: one warning when the first request is
 * answered 503, then a count, every minute while it lasts and once when the database
 * answers again (instead of an error and a stack trace per request).
 */
@Injectable()
export class DatabaseOutages implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private since: number | undefined;
  private answered = 0;
  private lastSummary = 0;
  private probe: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(private readonly orm: MikroORM) {}

  /** A request was answered 503 because of `cause`, a database failure. */
  unavailable(cause: unknown): void {
    this.answered += 1;
    if (this.since !== undefined) return;
    this.since = this.lastSummary = Date.now();
    this.logger.warn(`Database unavailable (${describe(cause)}): answering 503 until it is back`);
  }

  // Started here, outside any request, so the summaries do not carry one request's id.
  onModuleInit(): void {
    this.probe = setInterval(() => void this.check(), PROBE_INTERVAL_MS);
    this.probe.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.probe);
    if (this.since !== undefined) this.end('still unavailable at shutdown');
  }

  private async check(): Promise<void> {
    if (this.probing || this.since === undefined) return;
    this.probing = true;
    try {
      await this.orm.em.getConnection().execute('select 1');
      this.end('back');
    } catch {
      if (Date.now() - this.lastSummary >= SUMMARY_INTERVAL_MS) {
        this.lastSummary = Date.now();
        this.logger.warn(this.summary('still unavailable'));
      }
    } finally {
      this.probing = false;
    }
  }

  private end(state: string): void {
    this.logger.log(this.summary(state));
    this.since = undefined;
    this.answered = 0;
  }

  private summary(state: string): string {
    return `Database ${state}: unavailable for ${seconds(Date.now() - (this.since ?? Date.now()))}; ${this.answered} request(s) answered 503`;
  }
}
