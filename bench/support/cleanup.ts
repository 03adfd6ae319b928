import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What a benchmark started, stopped newest first, once, whatever happens (error, signal, watchdog). */
export class Cleanup {
  private readonly steps: { name: string; run: () => Promise<void> }[] = [];
  private running: Promise<void> | undefined;
  private readonly report: (message: string) => void;

  constructor(report: (message: string) => void) {
    this.report = report;
  }

  add(name: string, run: () => Promise<void>): void {
    this.steps.push({ name, run });
  }

  run(): Promise<void> {
    this.running ??= this.runAll();
    return this.running;
  }

  /** Cleans up (at most 20 s), then exits with `code`. */
  async exit(code: number): Promise<never> {
    const cap = setTimeout(() => process.exit(code), 20_000);
    await this.run();
    clearTimeout(cap);
    process.exit(code);
  }

  /** Runs a benchmark's `main` and exits with its code, cleaning up on an error or a signal too. */
  async runMain(main: () => Promise<number>): Promise<never> {
    process.once('SIGINT', () => {
      this.report('interrupted: stopping everything');
      void this.exit(130);
    });
    process.once('SIGTERM', () => {
      this.report('terminated: stopping everything');
      void this.exit(143);
    });
    try {
      return await this.exit(await main());
    } catch (error) {
      this.report(`ERROR: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return this.exit(1);
    }
  }

  private async runAll(): Promise<void> {
    for (const step of this.steps.reverse()) {
      try {
        await step.run();
      } catch (error) {
        this.report(`cleanup: could not ${step.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/** Stops PostgreSQL and removes `dir` should this process die without cleaning up (see reaper.ts). */
export function startReaper(dir: string): void {
  const reaper = spawn(process.execPath, [path.join(ROOT, 'bench/support/reaper.ts'), dir], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    detached: true, // its own process group: Ctrl-C does not reach it, this process cleans up then
  });
  reaper.channel?.unref();
  reaper.unref();
}
