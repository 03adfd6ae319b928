import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 16;

/**
 * Opaque page cursors: the position from MikroORM's keyset cursor, bound to the list
 * (sort and filters) it was issued for and signed, so a tampered cursor or one replayed
 * against another sort or filter set is detected instead of silently mis-paging.
 */
export class CursorCodec {
  constructor(private readonly key: Buffer) {}

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
