import { useTestApp } from '../../support/test-app.js';
import { bearer, registerUser } from '../../factories/users.js';

describe('POST /auth/refresh', () => {
  const t = useTestApp({ REFRESH_REUSE_GRACE_SECONDS: '0' }); // strict reuse detection

  const refresh = (refreshToken: unknown) => t.http.post('/api/v1/auth/refresh').send({ refreshToken });
  const me = (accessToken: string) => t.http.get('/api/v1/users/me').set(bearer(accessToken));

  it('rotates: a new pair, and the old refresh token is spent', async () => {
    const user = await registerUser(t.http);
    const response = await refresh(user.refreshToken).expect(200);

    expect(response.body).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
    });
    expect(response.body.refreshToken).not.toBe(user.refreshToken);
    await me(response.body.accessToken).expect(200);
    await refresh(response.body.refreshToken).expect(200);
  });

  it('revokes the whole session when a spent refresh token comes back', async () => {
    const user = await registerUser(t.http);
    const rotated = (await refresh(user.refreshToken).expect(200)).body;

    const reuse = await refresh(user.refreshToken).expect(401);
    expect(reuse.body.type).toBe('urn:yello:problem:invalid-refresh-token');

    // Everything of that session is dead now, including the pair issued before the reuse.
    await me(rotated.accessToken).expect(401);
    await refresh(rotated.refreshToken).expect(401);
  });

  it('lets exactly one of two concurrent uses of a token win', async () => {
    const user = await registerUser(t.http);
    const statuses = (await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)])).map((r) => r.status);
    expect(statuses).toContain(200);
    expect(statuses).toContain(401);
  });

  it('leaves other sessions alone on reuse', async () => {
    const user = await registerUser(t.http);
    const other = (await t.http.post('/api/v1/auth/login').send({ email: user.email, password: user.password })).body;
    await refresh(user.refreshToken).expect(200);
    await refresh(user.refreshToken).expect(401);
    await me(other.accessToken).expect(200);
  });

  it.each([
    ['an unknown token', 'nope.nope'],
    ['a non-string', 12345],
    ['an empty string', ''],
  ])('rejects %s', async (_case, token) => {
    const response = await refresh(token);
    expect([400, 401]).toContain(response.status);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });
});

describe('POST /auth/refresh within the reuse grace period', () => {
  const t = useTestApp({ REFRESH_REUSE_GRACE_SECONDS: '1' });

  const refresh = (refreshToken: string) => t.http.post('/api/v1/auth/refresh').send({ refreshToken });
  const me = (accessToken: string) => t.http.get('/api/v1/users/me').set(bearer(accessToken));

  it('gives two tabs refreshing at once each a pair of the same session', async () => {
    const user = await registerUser(t.http);
    const [first, second] = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    await me(first.body.accessToken).expect(200);
    await me(second.body.accessToken).expect(200);
    const sessions = await t.http.get('/api/v1/auth/sessions').set(bearer(second.body.accessToken)).expect(200);
    expect(sessions.body.data).toHaveLength(1);
  });

  it('keeps one live refresh token per session: the latest pair wins', async () => {
    const user = await registerUser(t.http);
    const first = (await refresh(user.refreshToken).expect(200)).body;
    const second = (await refresh(user.refreshToken).expect(200)).body; // within the grace period
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await refresh(second.refreshToken).expect(200);
    // The pair superseded by the grace refresh was spent then: presenting it now is reuse.
    await refresh(first.refreshToken).expect(401);
    await me(second.accessToken).expect(401);
  });

  it('still revokes the session when a spent token comes back after the grace period', async () => {
    const user = await registerUser(t.http);
    const rotated = (await refresh(user.refreshToken).expect(200)).body;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await refresh(user.refreshToken).expect(401);
    await me(rotated.accessToken).expect(401);
    await refresh(rotated.refreshToken).expect(401);
  });
});
