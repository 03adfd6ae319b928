import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ServiceBusy } from '../../common/http/domain-error.js';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';
import type { BcryptJob, BcryptRequest, BcryptResult } from './bcrypt.worker.js';

/** What a client told "busy" should wait: a queued hash takes a fraction of a second. */
const BUSY_RETRY_AFTER_SECONDS = 1;

export class PasswordHashingBusy extends ServiceBusy {
  constructor() {
    super('Too many sign-ins are being processed right now; retry shortly', BUSY_RETRY_AFTER_SECONDS);
  }
}

/**
 * Bounds password hashing: at most `concurrency` hashes run (each keeps a core busy for a
 * quarter of a second at cost 12), at most `queue` wait for a slot, in order; any more is
 * refused at once with `PasswordHashingBusy` (503). Left unbounded, a login storm fills
 * libuv's thread pool and every core, and starves every other request.
 */
@Injectable()
export class PasswordHashingGate {
  private readonly concurrency: number;
  private readonly queue: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(@InjectAppConfig() config: AppConfig) {
    this.concurrency = config.auth.passwordHashConcurrency;
    this.queue = config.auth.passwordHashQueue;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) this.running++;
    else if (this.waiting.length < this.queue) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else throw new PasswordHashingBusy();
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** Built: the compiled worker next to this file; under the test runner (sources): the `.ts` one, type-stripped by Node. */
function workerFile(): URL {
  const built = new URL('./bcrypt.worker.js', import.meta.url);
  return existsSync(fileURLToPath(built)) ? built : new URL('./bcrypt.worker.ts', import.meta.url);
}

interface HashingProcess {
  child: ChildProcess;
  pending: Map<number, { resolve: (value: string | boolean) => void; reject: (error: Error) => void }>;
}

/**
 * The processes bcrypt runs in: one per hashing slot, each at the lowest scheduling priority
 * (see bcrypt.worker.ts), started on first use. Requests keep the CPU they need; hashing
 * gets the rest. (libuv's pool, where bcrypt's async API runs, cannot be deprioritised.)
 * Processes, not worker threads: with Linux's autogroup scheduling a thread's nice value only
 * counts against the threads of its own process's session, so a low-priority hashing thread
 * still took its full share from the PostgreSQL backends on the same machine (the login
 * storm's reads kept 62–74 % of their quiet rate; with autogroup off, 84 %).
 */
@Injectable()
export class BcryptProcesses implements OnApplicationShutdown {
  private readonly processes: HashingProcess[] = [];
  private nextId = 0;

  constructor(@InjectAppConfig() private readonly config: AppConfig) {}

  hash(data: string, cost: number): Promise<string> {
    return this.run({ op: 'hash', data, cost }).then((value) => String(value));
  }

  compare(data: string, hash: string): Promise<boolean> {
    return this.run({ op: 'compare', data, hash }).then((value) => value === true);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.processes.splice(0).map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.disconnect(); // the worker exits when its channel closes
        await exited;
      }),
    );
  }

  private run(job: BcryptRequest): Promise<string | boolean> {
    const hashing = this.leastBusy();
    const id = this.nextId++;
    return new Promise<string | boolean>((resolve, reject) => {
      hashing.pending.set(id, { resolve, reject });
      hashing.child.send({ ...job, id } satisfies BcryptJob);
    });
  }

  private leastBusy(): HashingProcess {
    const idle = this.processes.find((hashing) => hashing.pending.size === 0);
    if (idle) return idle;
    if (this.processes.length < this.config.auth.passwordHashConcurrency) return this.start();
    return this.processes.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  private start(): HashingProcess {
    const child = fork(workerFile(), [], {
      // Its own session, hence its own scheduling group (see bcrypt.worker.ts); it still
      // ends with this process, whose death closes the channel it listens on.
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    // A hashing process never keeps this one alive.
    child.unref();
    child.channel?.unref();
    const hashing: HashingProcess = { child, pending: new Map() };
    child.on('message', (result: BcryptResult) => {
      const waiting = hashing.pending.get(result.id);
      hashing.pending.delete(result.id);
      if ('error' in result) waiting?.reject(new Error(`bcrypt: ${result.error}`));
      else waiting?.resolve(result.value);
    });
    const fail = (error: Error) => {
      for (const waiting of hashing.pending.values()) waiting.reject(error);
      hashing.pending.clear();
      const index = this.processes.indexOf(hashing);
      if (index >= 0) this.processes.splice(index, 1); // the next job starts a fresh process
    };
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new Error(`the password-hashing process exited (${signal ?? code})`)));
    this.processes.push(hashing);
    return hashing;
  }
}

/**
 * bcrypt over an HMAC-SHA256 pre-hash. bcrypt reads only 72 bytes; the pre-hash (44
 * base64 characters, no NUL bytes) makes every byte of a 128-character password count.
 * The keyed hash keeps these hashes from being "shucked" with leaked plain SHA-256 lists.
 * Hashing runs off the event loop in low-priority processes (`BcryptProcesses`), through the gate.
 */
@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  constructor(
    @InjectAppConfig() private readonly config: AppConfig,
    private readonly gate: PasswordHashingGate,
    private readonly processes: BcryptProcesses,
  ) {}

  hash(password: string): Promise<string> {
    return this.gate.run(() => this.processes.hash(preHash(password), this.config.auth.bcryptCost));
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.gate.run(() => this.processes.compare(preHash(password), hash));
  }

  /** Spends the time of a real verification, so unknown emails cannot be told apart by timing. */
  async verifyNothing(password: string): Promise<false> {
    // A refused first hash must not stay cached: the next unknown email tries again.
    this.dummyHash ??= this.hash('yello-dummy-password-for-unknown-users').catch((error: unknown) => {
      this.dummyHash = undefined;
      throw error;
    });
    await this.verify(password, await this.dummyHash);
    return false;
  }
}

function preHash(password: string): string {
  return createHmac('sha256', 'yello/password/v1').update(password, 'utf8').digest('base64');
}
