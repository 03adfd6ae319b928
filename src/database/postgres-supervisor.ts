import type { SupervisedDatabase } from './database-status.module.js';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgresOptions,
  type PostgresExit,
  type RunningPostgres,
} from './embedded-postgres.js';

/** The subset of Nest's `Logger` the supervisor writes to. */
export interface SupervisorLog {
  debug(message: string): void;
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const RESTART_BACKOFF = { initialMs: 500, maxMs: 10_000 };

type State = 'up' | 'down' | 'starting' | 'stopped';

/** `2026-… UTC [1234] FATAL:  message` (PostgreSQL's default `log_line_prefix`). */
const POSTGRES_LINE =
  /\b(DEBUG\d?|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC|DETAIL|HINT|QUERY|CONTEXT|LOCATION|STATEMENT):\s+(.*)$/;

/**
 * FATALs of one connection refused or cut because the server itself is going or coming
 * back: consequences of an exit the supervisor reports, and one per client attempt.
 */
const CONNECTION_FATAL = /^(the database system is |terminating connection due to unexpected postmaster exit)/;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describeExit({ code, signal }: PostgresExit): string {
  return signal ? `killed by ${signal}` : `exit code ${code ?? 'unknown'}`;
}

/**
 * Runs the embedded PostgreSQL and keeps it running: its exit is noticed at once (the
 * app's readiness turns 503), and it is started again with exponential backoff until it
 * answers, however long that takes. Its stderr goes to the app's log: errors at warn/error
 * while it runs; everything else, and anything while it is down or starting (clients
 * refused during recovery, the dying backends), at debug. A restart that fails is logged
 * once per distinct reason, not once per attempt.
 */
export class PostgresSupervisor implements SupervisedDatabase {
  private state: State = 'starting';
  private current: RunningPostgres | undefined;
  private retry: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;
  private abort: AbortController | undefined;
  private delayMs = RESTART_BACKOFF.initialMs;
  private downSince = 0;
  private attempts = 0;
  private lastFailure = '';
  /** The first FATAL/PANIC (or unprefixed) line PostgreSQL wrote in a start: why it failed. */
  private lastProblem = '';
  private partialLine = '';
  private readonly log: SupervisorLog;
  private readonly options: EmbeddedPostgresOptions;

  private constructor(options: Omit<EmbeddedPostgresOptions, 'onLog'>, log: SupervisorLog) {
    this.log = log;
    this.options = { ...options, onLog: (chunk) => this.relay(chunk) };
  }

  /** Starts (initialising on first use) the cluster; a failure of this first start is thrown. */
  static async start(options: Omit<EmbeddedPostgresOptions, 'onLog'>, log: SupervisorLog): Promise<PostgresSupervisor> {
    const supervisor = new PostgresSupervisor(options, log);
    try {
      supervisor.watch(await startEmbeddedPostgres(supervisor.options));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(supervisor.lastProblem ? `${message} (PostgreSQL: ${supervisor.lastProblem})` : message, {
        cause: error,
      });
    }
    return supervisor;
  }

  get running(): boolean {
    return this.state === 'up';
  }

  get url(): string {
    return this.current?.url ?? '';
  }

  /** Stops PostgreSQL (or the restart under way); returns at once when it is down already. */
  async stop(): Promise<void> {
    const wasDown = this.state === 'down' || this.state === 'starting';
    this.state = 'stopped';
    clearTimeout(this.retry);
    this.abort?.abort();
    await this.attempt;
    await this.current?.stop();
    if (wasDown)
      this.log.warn(`Stopped while the embedded PostgreSQL was down (for ${seconds(Date.now() - this.downSince)})`);
  }

  private watch(running: RunningPostgres): void {
    this.current = running;
    this.state = 'up';
    void running.exited.then((exit) => {
      if (this.state !== 'up' || this.current !== running) return; // stopped on purpose
      this.state = 'down';
      this.downSince = Date.now();
      this.attempts = 0;
      this.lastFailure = '';
      this.delayMs = RESTART_BACKOFF.initialMs;
      this.log.error(`Embedded PostgreSQL exited (${describeExit(exit)}); restarting it`);
      this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    this.retry = setTimeout(() => {
      this.attempt = this.restart();
    }, this.delayMs);
    this.retry.unref();
    this.delayMs = Math.min(this.delayMs * 2, RESTART_BACKOFF.maxMs);
  }

  /** Read after an `await`: `stop()` may have run meanwhile (a getter, so the compiler does not narrow it). */
  private get startAbandoned(): boolean {
    return this.state !== 'starting';
  }

  private async restart(): Promise<void> {
    const previous = this.current;
    if (!previous || this.state !== 'down') return;
    this.state = 'starting';
    this.attempts += 1;
    this.lastProblem = '';
    this.abort = new AbortController();
    try {
      const running = await previous.restart(this.abort.signal);
      if (this.startAbandoned) {
        await running.stop(); // `stop()` came first
        return;
      }
      this.watch(running);
      this.log.log(
        `Embedded PostgreSQL is back after ${seconds(Date.now() - this.downSince)} (${this.attempts} start attempt(s))`,
      );
    } catch (error) {
      if (this.startAbandoned) return;
      this.state = 'down';
      const reason = this.lastProblem || (error instanceof Error ? error.message : String(error));
      if (reason !== this.lastFailure) {
        this.lastFailure = reason;
        this.log.warn(
          `Embedded PostgreSQL did not start (attempt ${this.attempts}): ${reason}; ` +
            `retrying every ${seconds(RESTART_BACKOFF.maxMs)} at most, logged again only if the reason changes`,
        );
      }
      this.scheduleRestart();
    }
  }

  /** PostgreSQL's stderr, in chunks that may split lines. */
  private relay(chunk: string): void {
    const lines = (this.partialLine + chunk).split('\n');
    this.partialLine = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) this.relayLine(line.trimEnd());
  }

  private relayLine(line: string): void {
    const match = POSTGRES_LINE.exec(line);
    const severity = match?.[1] ?? (line.startsWith('\t') ? 'continued' : 'unprefixed');
    const text = `PostgreSQL ${match ? `${severity}: ${match[2]}` : line.trim()}`;
    const isProblem =
      (severity === 'FATAL' && !CONNECTION_FATAL.test(match?.[2] ?? '')) ||
      severity === 'PANIC' ||
      severity === 'unprefixed';
    if (this.state !== 'up') {
      if (isProblem && !this.lastProblem) this.lastProblem = match?.[2] ?? line.trim();
      this.log.debug(text);
    } else if (isProblem) {
      this.log.error(text);
    } else if (severity === 'ERROR' || severity === 'WARNING') {
      this.log.warn(text);
    } else {
      this.log.debug(text);
    }
  }
}
