import { jest } from '@jest/globals';
import { MemoryRateLimitStore } from '../../src/common/rate-limit/rate-limit.store.js';

describe('MemoryRateLimitStore: the per-user request limit', () => {
  let store: MemoryRateLimitStore;
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-26T12:00:00.500Z') });
    store = new MemoryRateLimitStore();
  });
  afterEach(() => {
    store.onApplicationShutdown();
    jest.useRealTimers();
  });
  const hit = (key = 'user') => store.increment(key, 60_000, 3);

  it('counts over a sliding minute, refuses without counting, and says when there is room again', async () => {
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false, timeToExpire: 60 });
    jest.advanceTimersByTime(20_000);
    await hit();
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: false });
    // The first request leaves the window 60 s after it came, 39.5 s from now.
    expect(await hit()).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 40 });
    jest.advanceTimersByTime(39_000);
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 1 });
    jest.advanceTimersByTime(1_000);
    // Refused requests were not counted: only the first one has gone.
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: false });
    expect(await hit('another user')).toMatchObject({ totalHits: 1 });
  });

  it('starts afresh after a quiet minute', async () => {
    for (let i = 0; i < 3; i++) await hit();
    jest.advanceTimersByTime(60_000);
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
