import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

const MAC_BYTES = 16;

/**
 * Opaque page cursors: the position from MikroORM's keyset cursor, bound to the list
 * (sort and filters) it was issued for and signed, so a tampered cursor or one replayed
 * against another sort or filter set is detected instead of silently mis-paging.
 */
export class CursorCodec {
  // A KeyObject, built once: `createHmac` given raw bytes prepares a key from them at every
  // call, 10–15 µs on Node 24 here against 2–5 µs for the whole MAC with a KeyObject.
  private readonly key: KeyObject;

  constructor(key: Buffer) {
    this.key = createSecretKey(key);
  }

  encode(position: string, binding: string): string {
    const payload = Buffer.from(position, 'utf8');
    return Buffer.concat([this.mac(payload, binding), payload]).toString('base64url');
  }

  /** The position, or `null` when the cursor is malformed, tampered or bound to another list. */
  decode(cursor: string, binding: string): string | null {
    const raw = Buffer.from(cursor, 'base64url');
    if (raw.length <= MAC_BYTES || raw.toString('base64url') !== cursor) return null;
    const payload = raw.subarray(MAC_BYTES);
    return timingSafeEqual(raw.subarray(0, MAC_BYTES), this.mac(payload, binding)) ? payload.toString('utf8') : null;
  }

  private mac(payload: Buffer, binding: string): Buffer {
    return createHmac('sha256', this.key).update(binding).update('\0').update(payload).digest().subarray(0, MAC_BYTES);
  }
}
