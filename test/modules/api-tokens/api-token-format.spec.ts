import { crc32 } from 'node:zlib';
import {
  apiTokenChecksum,
  apiTokenHash,
  generateApiToken,
  isWellFormedApiToken,
} from '../../../src/modules/api-tokens/api-token-format.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** What a secret scanner does, written independently of the app's code. */
function scannerAccepts(token: string): boolean {
  const match = /^(yel_[0-9A-Za-z]{40})_([0-9A-Za-z]{6})$/.exec(token);
  if (!match?.[1] || !match[2]) return false;
  let value = 0;
  for (const char of match[2]) value = value * 62 + BASE62.indexOf(char);
  return value === crc32(match[1]);
}

describe('API token format', () => {
  it('is yel_, 40 base62 characters, _ and a 6-character base62 CRC32 that a scanner verifies offline', () => {
    for (let i = 0; i < 200; i++) {
      const token = generateApiToken();
      expect(token).toMatch(/^yel_[0-9A-Za-z]{40}_[0-9A-Za-z]{6}$/);
      expect(scannerAccepts(token)).toBe(true);
      expect(isWellFormedApiToken(token)).toBe(true);
    }
  });

  it('left-pads small checksums with 0', () => {
    // CRC32("") is 0.
    expect(apiTokenChecksum('')).toBe('000000');
  });

  it('refuses a changed character, a changed checksum or another shape', () => {
    const token = generateApiToken();
    const flipped = `${token.slice(0, 10)}${token[10] === 'a' ? 'b' : 'a'}${token.slice(11)}`;
    const badSum = `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`;
    for (const bad of [flipped, badSum, token.slice(1), `${token}x`, token.replace('yel_', 'yel-')]) {
      expect(isWellFormedApiToken(bad)).toBe(false);
      expect(scannerAccepts(bad)).toBe(false);
    }
  });

  it('is stored as its SHA-256 in hex, never as itself', () => {
    const token = generateApiToken();
    expect(apiTokenHash(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(apiTokenHash(token)).not.toContain(token.slice(4, 44));
  });

  it('draws different secrets', () => {
    expect(new Set(Array.from({ length: 100 }, generateApiToken)).size).toBe(100);
  });
});
