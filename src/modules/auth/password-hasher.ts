import { Injectable } from '@nestjs/common';
import bcrypt from 'bcrypt';
import { createHmac } from 'node:crypto';
import { ServiceBusy } from '../../common/http/domain-error.js';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';

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
  private readonly waiting: Array<() => void> = [];

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

/**
 * bcrypt over an HMAC-SHA256 pre-hash. bcrypt reads only 72 bytes; the pre-hash (44
 * base64 characters, no NUL bytes) makes every byte of a 128-character password count.
 * The keyed hash keeps these hashes from being "shucked" with leaked plain SHA-256 lists.
 * The async bcrypt API runs on libuv's thread pool, off the event loop, through the gate.
 */
@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  constructor(
    @InjectAppConfig() private readonly config: AppConfig,
    private readonly gate: PasswordHashingGate,
  ) {}

  hash(password: string): Promise<string> {
    return this.gate.run(() => bcrypt.hash(preHash(password), this.config.auth.bcryptCost));
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.gate.run(() => bcrypt.compare(preHash(password), hash));
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
