import { hashRefreshToken } from '../../src/modules/auth/token.service.js';
import { useTestApp } from '../support/test-app.js';
import { bearer, registerUser, uniqueEmail } from '../factories/users.js';

describe('login and registration limits', () => {
  const t = useTestApp({
    RATE_LIMIT_AUTH_PER_MINUTE: '3',
    RATE_LIMIT_LOGIN_IP_PER_MINUTE: '5',
    RATE_LIMIT_LOGIN_EMAIL_PER_MINUTE: '6',
    TRUST_PROXY: 'true',
  });

  const loginFrom = (ip: string, email: string, password = 'wrong password here') =>
    t.http.post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password });

  it('limits failed logins per (email, client), with Retry-After and a problem body', async () => {
    const email = uniqueEmail();
    for (let i = 0; i < 3; i++) await loginFrom('203.0.113.1', email).expect(401);
    const limited = await loginFrom('203.0.113.1', email).expect(429);

    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.body).toMatchObject({ status: 429, type: 'urn:yello:problem:rate-limited' });
    await loginFrom('203.0.113.2', email).expect(401); // another client is unaffected
  });

  it('keeps the right password working from another client while one floods the email', async () => {
    const owner = await registerUser(t.http);
    for (let i = 0; i < 3; i++) await loginFrom('203.0.113.10', owner.email).expect(401);
    for (let i = 0; i < 20; i++) await loginFrom('203.0.113.10', owner.email).expect(429);
    await loginFrom('203.0.113.11', owner.email, owner.password).expect(200);
  });

  it('does not block other emails of a client for one email, only at the per-client limit', async () => {
    const flooded = uniqueEmail();
    for (let i = 0; i < 3; i++) await loginFrom('203.0.113.20', flooded).expect(401);
    await loginFrom('203.0.113.20', flooded).expect(429);
    await loginFrom('203.0.113.20', uniqueEmail()).expect(401);
    await loginFrom('203.0.113.20', uniqueEmail()).expect(401); // the client's 5th failure
    await loginFrom('203.0.113.20', uniqueEmail()).expect(429);
  });

  it('does not count successful logins', async () => {
    const user = await registerUser(t.http);
    for (let i = 0; i < 6; i++) await loginFrom('203.0.113.30', user.email, user.password).expect(200);
    await loginFrom('203.0.113.30', user.email).expect(401);
  });

  it('slows spraying from many clients at the per-email ceiling, in any case', async () => {
    const email = uniqueEmail();
    for (let i = 1; i <= 6; i++) await loginFrom(`198.51.100.${i}`, i % 2 ? email : email.toUpperCase()).expect(401);
    await loginFrom('198.51.100.7', email).expect(429);
  });

  it('counts parallel guesses exactly', async () => {
    const email = uniqueEmail();
    const statuses = (await Promise.all(Array.from({ length: 8 }, () => loginFrom('203.0.113.40', email)))).map(
      (r) => r.status,
    );
    expect(statuses.filter((status) => status === 401)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
  });

  it('limits registrations per client IP', async () => {
    const register = () =>
      t.http.post('/api/v1/auth/register').set('X-Forwarded-For', '192.0.2.77').send({ email: 'x' });
    for (let i = 0; i < 3; i++) await register().expect(400);
    await register().expect(429);
  });

  it('limits password-reset requests per email, from any clients, and per client', async () => {
    const forgot = (ip: string, email: string) =>
      t.http.post('/api/v1/auth/password/forgot').set('X-Forwarded-For', ip).send({ email });
    const email = uniqueEmail();
    for (let i = 1; i <= 3; i++) await forgot(`198.51.100.${40 + i}`, email).expect(202);
    const limited = await forgot('198.51.100.50', email.toUpperCase()).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) await forgot('198.51.100.60', uniqueEmail()).expect(202);
    await forgot('198.51.100.60', uniqueEmail()).expect(429);
  });
});

describe('token limits', () => {
  const t = useTestApp({
    RATE_LIMIT_REFRESH_PER_MINUTE: '2',
    RATE_LIMIT_INVALID_TOKENS_PER_MINUTE: '3',
    TRUST_PROXY: 'true',
  });

  it('keys refresh limits on the verified session, not on the session id a client claims', async () => {
    const victim = await registerUser(t.http);
    const forged = () =>
      t.http
        .post('/api/v1/auth/refresh')
        .set('X-Forwarded-For', '192.0.2.10')
        .send({ refreshToken: `${victim.refreshToken.split('.')[0]}.forged` });
    for (let i = 0; i < 3; i++) await forged().expect(401);
    await forged().expect(429); // the forger's client is limited
    await t.http
      .post('/api/v1/auth/refresh')
      .set('X-Forwarded-For', '192.0.2.11')
      .send({ refreshToken: victim.refreshToken })
      .expect(200);
  });

  it('limits refreshes per session, without spending the refused token', async () => {
    const user = await registerUser(t.http);
    const refresh = (refreshToken: string, ip: string) =>
      t.http.post('/api/v1/auth/refresh').set('X-Forwarded-For', ip).send({ refreshToken });
    const first = await refresh(user.refreshToken, '192.0.2.20').expect(200);
    const second = await refresh(first.body.refreshToken, '192.0.2.21').expect(200);
    await refresh(second.body.refreshToken, '192.0.2.22').expect(429);
    const [token] = await t.orm.em
      .getConnection()
      .execute<{ spent_at: Date | null }[]>('select spent_at from refresh_tokens where token_hash = ?', [
        hashRefreshToken(second.body.refreshToken),
      ]);
    expect(token).toEqual({ spent_at: null });
  });

  it('limits failed bearer authentication per client, answering before any token check', async () => {
    const user = await registerUser(t.http);
    const me = (ip: string, auth: { Authorization: string }) =>
      t.http.get('/api/v1/users/me').set('X-Forwarded-For', ip).set(auth);
    for (let i = 0; i < 3; i++) await me('192.0.2.30', bearer('not.a.token')).expect(401);
    await me('192.0.2.30', bearer('not.a.token')).expect(429);
    await me('192.0.2.30', user.auth).expect(429);
    await me('192.0.2.31', user.auth).expect(200);
  });
});

describe('per-user limit', () => {
  const t = useTestApp({ RATE_LIMIT_PER_MINUTE: '5' });

  it('limits each user on every other route and says so in RateLimit-* headers', async () => {
    const { auth } = await registerUser(t.http);
    const first = await t.http.get('/api/v1/users/me').set(auth).expect(200);
    expect(first.headers['ratelimit-limit']).toBe('5');
    expect(first.headers['ratelimit-remaining']).toBe('4');
    expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThan(0);

    for (let i = 0; i < 4; i++) await t.http.get('/api/v1/users/me').set(auth).expect(200);
    await t.http.get('/api/v1/users/me').set(auth).expect(429);
  });
});
