import { withServer } from '../../src/database/embedded-postgres.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const MARK = 'yello-bench-mark';
/** A statement as `log_statement = all` logs it: simple protocol, or the execute step of the extended one. */
const STATEMENT = /\bLOG:\s+(?:statement|execute [^:]*):\s(.*)$/;
const MARK_LINE = new RegExp(`${MARK} (begin|end) (\\d+)`);

/**
 * Which SQL statements one request runs, read from PostgreSQL's own statement log
 * (`log_statement = all`), so it counts what reaches the server whatever the client.
 * Logging is on only while the servers start and one request per route is traced, and is
 * off during the load.
 */
export class StatementTrace {
  private recording = false;
  private log = '';

  /** For `startEmbeddedPostgres({ onLog })`: PostgreSQL's stderr. */
  readonly onLog = (message: string): void => {
    if (this.recording) this.log += message;
  };

  /** New connections log every statement (open ones follow after their next statement). */
  static setLogging(serverUrl: string, on: boolean): Promise<void> {
    return withServer(serverUrl, async (client) => {
      await client.query(on ? "ALTER SYSTEM SET log_statement = 'all'" : 'ALTER SYSTEM RESET log_statement');
      await client.query('SELECT pg_reload_conf()');
    });
  }

  /**
   * Runs each probe twice (the first may open pool connections) and returns the
   * statements logged during the second run, per probe.
   */
  async record(serverUrl: string, probes: readonly (() => Promise<void>)[]): Promise<string[][]> {
    this.log = '';
    this.recording = true;
    try {
      await withServer(serverUrl, async (client) => {
        for (const [index, probe] of probes.entries()) {
          await probe();
          await client.query(`SELECT '${MARK} begin ${index}'`);
          await probe();
          await client.query(`SELECT '${MARK} end ${index}'`);
        }
      });
      await sleep(200); // the last lines may still be in the pipe
    } finally {
      this.recording = false;
    }
    return this.parse(probes.length);
  }

  private parse(count: number): string[][] {
    const found: string[][] = Array.from({ length: count }, () => []);
    let current: string[] | undefined;
    for (const line of this.log.split('\n')) {
      const mark = MARK_LINE.exec(line);
      if (mark) {
        current = mark[1] === 'begin' ? found[Number(mark[2])] : undefined;
        continue;
      }
      const statement = STATEMENT.exec(line);
      if (current && statement?.[1]) current.push(statement[1]);
    }
    return found;
  }
}
