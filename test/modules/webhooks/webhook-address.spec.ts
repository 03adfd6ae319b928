import { isPublicAddress, resolveTarget, urlProblem } from '../../../src/modules/webhooks/webhook-address.js';
import { nextAttemptAt, retryAfterMs } from '../../../src/modules/webhooks/retry-schedule.js';

describe('webhook targets (SSRF rules)', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '2001:db8::1',
    '64:ff9b::a00:1',
    '200::1',
    'not an address',
  ])('%s is not public', (address) => expect(isPublicAddress(address)).toBe(false));

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) =>
    expect(isPublicAddress(address)).toBe(true),
  );

  it('takes only https URLs to public hosts in production; http and loopback elsewhere', () => {
    const production = { production: true };
    const development = { production: false };
    expect(urlProblem('https://hooks.example.com/x', production)).toBeNull();
    expect(urlProblem('http://hooks.example.com/x', production)).toBe('must be an https URL');
    expect(urlProblem('https://127.0.0.1/x', production)).toBe('must be a public address');
    expect(urlProblem('https://[::1]/x', production)).toBe('must be a public address');
    expect(urlProblem('https://localhost/x', production)).toBe('must be a public address');
    expect(urlProblem('https://user:pass@hooks.example.com/', production)).toBe('must not carry credentials');
    expect(urlProblem('http://127.0.0.1:8080/x', development)).toBeNull();
    expect(urlProblem('ftp://example.com/', development)).toBe('must be an http or https URL');
  });

  it('refuses, at delivery time in production, a host that resolves to a private address', async () => {
    await expect(resolveTarget('localhost', { production: true })).rejects.toThrow(/non-public address/);
    await expect(resolveTarget('[::1]', { production: true })).rejects.toThrow(/non-public address/);
    await expect(resolveTarget('localhost', { production: false })).resolves.toMatchObject({
      address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/),
    });
  });
});

describe('the retry schedule', () => {
  const created = new Date('2026-01-01T00:00:00Z');
  const at = (ms: number) => new Date(created.getTime() + ms);

  it('waits about 5 s, 30 s, 2 min, 10 min, 1 h, then hours, each ±20 %', () => {
    for (const [attempt, delay] of [
      [1, 5_000],
      [2, 30_000],
      [3, 120_000],
      [4, 600_000],
      [5, 3_600_000],
      [9, 6 * 3_600_000],
    ] as const) {
      const next = nextAttemptAt(attempt, created, created, null, 1);
      expect(next?.getTime()).toBeGreaterThanOrEqual(created.getTime() + delay * 0.8);
      expect(next?.getTime()).toBeLessThanOrEqual(created.getTime() + delay * 1.2);
    }
  });

  it('gives up after three days', () => {
    expect(nextAttemptAt(12, created, at(71 * 3_600_000), null, 1)).toBeNull();
    expect(nextAttemptAt(3, created, at(60_000), null, 1)).not.toBeNull();
  });

  it('honours a longer Retry-After, in seconds or as a date, up to 6 hours', () => {
    const now = at(1000);
    expect(nextAttemptAt(1, created, now, '120', 1)?.getTime()).toBe(now.getTime() + 120_000);
    const date = new Date(now.getTime() + 600_000).toUTCString();
    expect(nextAttemptAt(1, created, now, date, 1)?.getTime()).toBe(now.getTime() + 600_000);
    expect(nextAttemptAt(1, created, now, '999999', 1)?.getTime()).toBe(now.getTime() + 6 * 3_600_000);
    expect(retryAfterMs('soon', now)).toBeNull();
  });
});
