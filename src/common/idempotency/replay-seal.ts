import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals stored replay bodies with AES-256-GCM: a create's response may carry a one-time
 * secret (an invitation token), which must not sit readable in the database for the 24
 * hours a replay is possible. The key derives from the server secret; a body sealed
 * under another secret (or altered) does not open.
 */
export class ReplaySeal {
  private readonly key: Buffer;

  constructor(serverSecret: string) {
    this.key = Buffer.from(hkdfSync('sha256', serverSecret, 'yello', 'yello/idempotency-replay-body', 32));
  }

  seal(body: unknown): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const encrypted = Buffer.concat([cipher.update(JSON.stringify(body ?? null), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), encrypted]).toString('base64url');
  }

  /** The body, or `undefined` when `sealed` was not sealed with this key (or was altered). */
  open(sealed: unknown): unknown {
    if (typeof sealed !== 'string') return undefined;
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      const body: unknown = JSON.parse(plain.toString('utf8'));
      return body;
    } catch {
      return undefined;
    }
  }
}
