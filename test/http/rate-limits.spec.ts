import { useTestApp } from '../support/test-app.js';
import { registerUser, uniqueEmail } from '../factories/users.js';

describe('rate limits', () => {
  const t = useTestApp({
      RATE_LIMIT_AUTH_PER_MINUTE: '3',
      RATE_LIMIT_REFRESH_PER_MINUTE: '2',
      RATE_LIMIT_PER_MINUTE: '5',
      TRUST_PROXY: 'true',
    });

  const loginFrom = (ip: string, email: string) =>
    t.http.post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password: 'wrong password here' });

  it('limits logins per client IP, with Retry-After and a problem body', async () => {
    for (let i = 0; i < 3; i++) await loginFrom('203.0.113.1', uniqueEmail()).expect(401);
    const limited = await loginFrom('203.0.113.1', uniqueEmail()).expect(429);

    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.body).toMatchObject({ status: 429, type: 'urn:yello:problem:rate-limited' });
    await loginFrom('203.0.113.2', uniqueEmail()).expect(401); // another client is unaffected
  });

  it('limits logins per email across client IPs, in any case', async () => {
    const email = uniqueEmail();
    await loginFrom('198.51.100.1', email).expect(401);
    await loginFrom('198.51.100.2', email.toUpperCase()).expect(401);
    await loginFrom('198.51.100.3', email).expect(401);
    await loginFrom('198.51.100.4', email).expect(429);
  });

  it('limits registrations the same way', async () => {
    const register = () =>
      t.http.post('/api/v1/auth/register').set('X-Forwarded-For', '192.0.2.77').send({ email: 'x' });
    for (let i = 0; i < 3; i++) await register().expect(400);
    await register().expect(429);
  });

  it('limits refreshes per session', async () => {
    const user = await registerUser(t.http);
    const refresh = (ip: string) =>
      t.http.post('/api/v1/auth/refresh').set('X-Forwarded-For', ip).send({ refreshToken: `${user.refreshToken.split('.')[0]}.forged` });
    await refresh('192.0.2.10').expect(401);
    await refresh('192.0.2.11').expect(401);
    await refresh('192.0.2.12').expect(429);
  });

  it('limits each user on every other route and says so in RateLimit-* headers', async () => {
    const user = await registerUser(t.http);
    const first = await t.http.get('/api/v1/users/me').set(user.auth).expect(200);
    expect(first.headers['ratelimit-limit']).toBe('5');
    expect(first.headers['ratelimit-remaining']).toBe('4');
    expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThan(0);

    for (let i = 0; i < 4; i++) await t.http.get('/api/v1/users/me').set(user.auth).expect(200);
    await t.http.get('/api/v1/users/me').set(user.auth).expect(429);
  });
});
