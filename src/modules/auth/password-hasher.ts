import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
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

interface HashingThread {
  worker: Worker;
  pending: Map<number, { resolve: (value: string | boolean) => void; reject: (error: Error) => void }>;
}

/**
 * The threads bcrypt runs on: one per hashing slot, each at a lower scheduling priority
 * (see bcrypt.worker.ts), started on first use. Requests keep the CPU they need; hashing
 * gets the rest. (libuv's pool, where bcrypt's async API runs, cannot be deprioritised.)
 */
@Injectable()
export class BcryptThreads implements OnApplicationShutdown {
  private readonly threads: HashingThread[] = [];
  private nextId = 0;

  constructor(@InjectAppConfig() private readonly config: AppConfig) {}

  hash(data: string, cost: number): Promise<string> {
    return this.run({ op: 'hash', data, cost }).then((value) => String(value));
  }

  compare(data: string, hash: string): Promise<boolean> {
    return this.run({ op: 'compare', data, hash }).then((value) => value === true);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.threads.splice(0).map((thread) => thread.worker.terminate()));
  }

  private run(job: BcryptRequest): Promise<string | boolean> {
    const thread = this.leastBusy();
    const id = this.nextId++;
    return new Promise<string | boolean>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ ...job, id } satisfies BcryptJob);
    });
  }

  private leastBusy(): HashingThread {
    const idle = this.threads.find((thread) => thread.pending.size === 0);
    if (idle) return idle;
    if (this.threads.length < this.config.auth.passwordHashConcurrency) return this.start();
    return this.threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  private start(): HashingThread {
    const thread: HashingThread = { worker: new Worker(workerFile()), pending: new Map() };
    thread.worker.unref(); // an idle hashing thread never keeps the process alive
    thread.worker.on('message', (result: BcryptResult) => {
      const waiting = thread.pending.get(result.id);
      thread.pending.delete(result.id);
      if ('error' in result) waiting?.reject(new Error(`bcrypt: ${result.error}`));
      else waiting?.resolve(result.value);
    });
    const fail = (error: Error) => {
      for (const waiting of thread.pending.values()) waiting.reject(error);
      thread.pending.clear();
      const index = this.threads.indexOf(thread);
      if (index >= 0) this.threads.splice(index, 1); // the next job starts a fresh thread
    };
    thread.worker.on('error', fail);
    thread.worker.on('exit', (code) => fail(new Error(`the password-hashing thread exited (${code})`)));
    this.threads.push(thread);
    return thread;
  }
}

/**
 * bcrypt over an HMAC-SHA256 pre-hash. bcrypt reads only 72 bytes; the pre-hash (44
 * base64 characters, no NUL bytes) makes every byte of a 128-character password count.
 * The keyed hash keeps these hashes from being "shucked" with leaked plain SHA-256 lists.
 * Hashing runs off the event loop on low-priority threads (`BcryptThreads`), through the gate.
 */
@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  constructor(
    @InjectAppConfig() private readonly config: AppConfig,
    private readonly gate: PasswordHashingGate,
    private readonly threads: BcryptThreads,
  ) {}

  hash(password: string): Promise<string> {
    return this.gate.run(() => this.threads.hash(preHash(password), this.config.auth.bcryptCost));
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.gate.run(() => this.threads.compare(preHash(password), hash));
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
