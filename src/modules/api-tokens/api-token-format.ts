import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PREFIX = 'yel_';
const SECRET_LENGTH = 40;
const CHECKSUM_LENGTH = 6;
/** Bytes at or above this would make some characters likelier than others: drawn again. */
const UNBIASED_LIMIT = 256 - (256 % BASE62.length);
/** How many characters of a token are kept to show it in lists (`yel_` and 4 more). */
export const DISPLAY_PREFIX_LENGTH = 8;
/** The shape of a token, checksum not verified. */
export const API_TOKEN_PATTERN = /^yel_[0-9A-Za-z]{40}_[0-9A-Za-z]{6}$/;

function base62(value: number, width: number): string {
  let text = '';
  for (let rest = value; rest > 0; rest = Math.floor(rest / BASE62.length))
    text = BASE62.charAt(rest % BASE62.length) + text;
  return text.padStart(width, '0');
}

/** CRC32 of `body` (everything before the last `_`), in base62, left-padded to 6 characters. */
export function apiTokenChecksum(body: string): string {
  return base62(crc32(body), CHECKSUM_LENGTH);
}

function randomBase62(length: number): string {
  let text = '';
  while (text.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < UNBIASED_LIMIT && text.length < length) text += BASE62.charAt(byte % BASE62.length);
    }
  }
  return text;
}

/** A new token: `yel_<40 base62>_<checksum>`. */
export function generateApiToken(): string {
  const body = `${PREFIX}${randomBase62(SECRET_LENGTH)}`;
  return `${body}_${apiTokenChecksum(body)}`;
}

/** Whether `token` has the shape and checksum of a Yello API token (no database needed). */
export function isWellFormedApiToken(token: string): boolean {
  if (!API_TOKEN_PATTERN.test(token)) return false;
  const cut = token.lastIndexOf('_');
  return apiTokenChecksum(token.slice(0, cut)) === token.slice(cut + 1);
}

/** What is stored instead of the token: its SHA-256, in hex. */
export function apiTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
