import { useTestApp } from '../../support/test-app.js';
import { craftJwt, decodeJwtPayload } from '../../support/jwt.js';
import { registerUser, type RegisteredUser } from '../../factories/users.js';

describe('bearer access tokens', () => {
  const t = useTestApp();
  let user: RegisteredUser;
  let claims: Record<string, unknown>;
  beforeAll(async () => {
    user = await registerUser(t.http);
    claims = decodeJwtPayload(user.accessToken);
  });

  const me = (token: string) => t.http.get('/api/v1/users/me').set('Authorization', `Bearer ${token}`);
  const secret = () => t.config.auth.jwtSecret;
  const now = () => Math.floor(Date.now() / 1000);

  it('carries sub, sid, iat, exp, iss and aud, valid for 15 minutes', () => {
    expect(claims).toEqual({
      sub: user.id,
      sid: expect.any(String),
      iat: expect.any(Number),
      exp: expect.any(Number),
      iss: 'yello',
      aud: 'yello-api',
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(900);
  });

  it('accepts a token the API signed', async () => {
    await me(craftJwt({ alg: 'HS256', typ: 'JWT' }, claims, secret())).expect(200);
  });

  it.each([
    ['alg none', () => craftJwt({ alg: 'none', typ: 'JWT' }, claims)],
    ['another algorithm with the same secret', () => craftJwt({ alg: 'HS512', typ: 'JWT' }, claims, secret())],
    ['another secret', () => craftJwt({ alg: 'HS256' }, claims, 'some-other-secret-of-at-least-32-chars!!')],
    ['a wrong issuer', () => craftJwt({ alg: 'HS256' }, { ...claims, iss: 'evil' }, secret())],
    ['a wrong audience', () => craftJwt({ alg: 'HS256' }, { ...claims, aud: 'other-api' }, secret())],
    ['an expired token', () => craftJwt({ alg: 'HS256' }, { ...claims, iat: now() - 1000, exp: now() - 10 }, secret())],
    ['no expiry', () => craftJwt({ alg: 'HS256' }, { ...claims, exp: undefined }, secret())],
    ['no session id', () => craftJwt({ alg: 'HS256' }, { ...claims, sid: undefined }, secret())],
    ['a session id that is not a UUID', () => craftJwt({ alg: 'HS256' }, { ...claims, sid: 'not-a-uuid' }, secret())],
    ['a subject that is not a UUID', () => craftJwt({ alg: 'HS256' }, { ...claims, sub: 'admin' }, secret())],
    [
      'a session of another user',
      () => craftJwt({ alg: 'HS256' }, { ...claims, sub: '0190c7a4-0000-7000-8000-000000000000' }, secret()),
    ],
    ['garbage', () => 'not.a.jwt'],
  ])('rejects %s with 401 and WWW-Authenticate', async (_case, token) => {
    const response = await me(token()).expect(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it.each([
    ['trailing text', (token: string) => `Bearer ${token} trailing`],
    ['two spaces', (token: string) => `Bearer  ${token}`],
    ['another scheme', (token: string) => `Token ${token}`],
    ['no scheme', (token: string) => token],
  ])('accepts only exactly `Bearer <token>`, not %s', async (_case, header) => {
    await t.http.get('/api/v1/users/me').set('Authorization', header(user.accessToken)).expect(401);
  });

  it('accepts the scheme in any case', async () => {
    await t.http.get('/api/v1/users/me').set('Authorization', `bearer ${user.accessToken}`).expect(200);
  });

  it('refuses two Authorization headers with a 400, on public routes too', async () => {
    // Supertest cannot repeat a header; Fastify's injection can, and reflects it in rawHeaders.
    const authorization = [`Bearer ${user.accessToken}`, `Bearer ${user.accessToken}`];
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/users/me',
      headers: { Authorization: authorization },
    });
    expect(me.statusCode).toBe(400);
    expect(me.json()).toMatchObject({ type: 'urn:yello:problem:ambiguous-authorization' });
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      headers: { Authorization: authorization },
      payload: { refreshToken: 'x.y' },
    });
    expect(refresh.statusCode).toBe(400);
  });

  it('rejects a request without a token', async () => {
    const response = await t.http.get('/api/v1/users/me').expect(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
  });
});

describe('responses carrying tokens', () => {
  const t = useTestApp();

  it('say Cache-Control: no-store (register, login, refresh)', async () => {
    const user = await registerUser(t.http); // asserts 201
    const registered = await t.http
      .post('/api/v1/auth/register')
      .send({ email: `x${user.email}`, name: 'N', password: user.password });
    const loggedIn = await t.http.post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    const refreshed = await t.http.post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken });
    for (const response of [registered, loggedIn, refreshed]) {
      expect(response.status).toBeLessThan(300);
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });
});
