import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const EXIT_WITH_PARENT = fileURLToPath(new URL('./exit-with-parent.ts', import.meta.url));
/** The Node flags production starts the server with (the Dockerfile's `CMD`, `npm start`; docs/operations.md#node-flags). */
const SERVER_NODE_FLAGS = ['--no-allocation-site-pretenuring'];
const TAIL_LINES = 40;
const STOP_GRACE_MS = 5_000;

/** A server the benchmark started (the app or the baseline), run with production's Node flags, and how to stop it. */
export class Child {
  readonly name: string;
  readonly exited: Promise<void>;
  private readonly process: ChildProcess;
  private readonly lines: string[] = [];
  private exitDescription: string | undefined;

  constructor(name: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
    this.name = name;
    this.process = spawn(process.execPath, ['--import', EXIT_WITH_PARENT, ...SERVER_NODE_FLAGS, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    // Its output is kept, not shown: at LOG_LEVEL=warn a healthy child says nothing, and
    // a failing one could say it thousands of times under load. The tail goes with errors.
    this.process.stdout?.on('data', (chunk: Buffer) => this.keep(chunk));
    this.process.stderr?.on('data', (chunk: Buffer) => this.keep(chunk));
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        this.exitDescription = signal ? `signal ${signal}` : `code ${code}`;
        resolve();
      });
      this.process.once('error', (error) => {
        this.exitDescription = `spawn error: ${error.message}`;
        resolve();
      });
    });
  }

  /** Its process id (for its memory use). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** How it ended, or undefined while it runs. */
  get exit(): string | undefined {
    return this.exitDescription;
  }

  /** Its last lines of output, indented, for error messages. */
  tail(): string {
    return this.lines.length === 0 ? '  (no output)' : this.lines.map((line) => `  ${line}`).join('\n');
  }

  /** SIGTERM (the app drains and exits), then SIGKILL if it takes too long. */
  async stop(): Promise<void> {
    if (this.exitDescription !== undefined) return;
    this.process.kill('SIGTERM');
    const stopped = await Promise.race([this.exited.then(() => true), sleep(STOP_GRACE_MS, false)]);
    if (!stopped) {
      this.process.kill('SIGKILL');
      await this.exited;
    }
  }

  private keep(chunk: Buffer): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      this.lines.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
      if (this.lines.length > TAIL_LINES) this.lines.shift();
    }
  }
}

/** Polls `url` until it answers 200; fails early if the child exits. */
export async function waitUntilReady(child: Child, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exit !== undefined) {
      throw new Error(`${child.name} exited (${child.exit}) before it was ready. Its last output:\n${child.tail()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  throw new Error(
    `${child.name} was not ready at ${url} within ${timeoutMs} ms (${last}). Its last output:\n${child.tail()}`,
  );
}
