import { CursorCodec } from '../../src/common/pagination/cursor-codec.js';

describe('CursorCodec', () => {
  const codec = new CursorCodec(Buffer.from('a key of the test suite'));
  const cursor = codec.encode('{"createdAt":"2026-11-25","id":"x"}', 'sessions:-createdAt');

  it('round-trips a position for the same list', () => {
    expect(codec.decode(cursor, 'sessions:-createdAt')).toBe('{"createdAt":"2026-11-25","id":"x"}');
  });

  it('is opaque URL-safe text', () => {
    expect(cursor).toMatch(/^[\w-]+$/);
  });

  it.each([
    ['another sort or filter set', cursor, 'sessions:createdAt'],
    [
      'a flipped character',
      `${cursor.slice(0, -2)}${cursor.at(-2) === 'A' ? 'B' : 'A'}${cursor.at(-1)}`,
      'sessions:-createdAt',
    ],
    ['another key', new CursorCodec(Buffer.from('other')).encode('x', 'sessions:-createdAt'), 'sessions:-createdAt'],
    ['non-base64url text', 'not a cursor!', 'sessions:-createdAt'],
    ['an empty string', '', 'sessions:-createdAt'],
  ])('rejects a cursor with %s', (_case, candidate, binding) => {
    expect(codec.decode(candidate, binding)).toBeNull();
  });
});
