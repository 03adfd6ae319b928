import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';

/** The built server (`dist/main.js`, built by the global setup when stale), started as an operator starts it. */
export interface ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything it wrote so far (JSON log lines). */
  output(): string;
  /** Its base URL once it listens; rejects if it exits first. */
  readonly listening: Promise<string>;
  /** Its exit code, when it exits. */
  readonly exited: Promise<number | null>;
  /** SIGKILL if it still runs. */
  kill(): Promise<void>;
}

/**
 * What a process a spec starts keeps of the worker's environment: `PATH`, and the V8 compile
 * cache the global setup names (without it every start compiles the app's modules again,
 * about an eighth of a start's CPU time). The rest of its settings the spec gives.
 */
export const inheritedEnvironment = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE,
});

/** Shared by the instances of one cluster: tokens issued by one must verify on the others. */
export const clusterSecret = (): string => randomBytes(32).toString('hex');

// About a second on a quiet machine; a busy one (CI neighbours) may need far longer.
const START_TIMEOUT_MS = 90_000;

export function startServer(databaseUrl: string, env: Record<string, string> = {}): ServerProcess {
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: {
      ...inheritedEnvironment(),
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      JWT_SECRET: clusterSecret(),
      PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]: unknown[]) => (typeof code === 'number' ? code : null));
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 90 s:\n${output}`)), START_TIMEOUT_MS);
    child.stdout.on('data', () => {
      const match = /listening at (http:\/\/\S+)\/api\/v1/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${output}`));
    });
  });
  listening.catch(() => undefined); // a test that expects an exit never awaits it
  return {
    child,
    output: () => output,
    listening,
    exited,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
