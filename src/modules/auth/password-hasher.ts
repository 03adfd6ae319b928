import { Injectable } from '@nestjs/common';
import bcrypt from 'bcrypt';
import { createHmac } from 'node:crypto';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';

/**
 * bcrypt over an HMAC-SHA256 pre-hash. bcrypt reads only 72 bytes; the pre-hash (44
 * base64 characters, no NUL bytes) makes every byte of a 128-character password count.
 * The keyed hash keeps these hashes from being "shucked" with leaked plain SHA-256 lists.
 * The async bcrypt API runs on libuv's thread pool, off the event loop.
 */
@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  constructor(@InjectAppConfig() private readonly config: AppConfig) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(preHash(password), this.config.auth.bcryptCost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(preHash(password), hash);
  }

  /** Spends the time of a real verification, so unknown emails cannot be told apart by timing. */
  async verifyNothing(password: string): Promise<false> {
    this.dummyHash ??= this.hash('yello-dummy-password-for-unknown-users');
    await this.verify(password, await this.dummyHash);
    return false;
  }
}

function preHash(password: string): string {
  return createHmac('sha256', 'yello/password/v1').update(password, 'utf8').digest('base64');
}
