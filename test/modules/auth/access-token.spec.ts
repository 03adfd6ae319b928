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
    ['a session of another user', () => craftJwt({ alg: 'HS256' }, { ...claims, sub: '0190c7a4-0000-7000-8000-000000000000' }, secret())],
    ['garbage', () => 'not.a.jwt'],
  ])('rejects %s with 401 and WWW-Authenticate', async (_case, token) => {
    const response = await me(token()).expect(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it('rejects a request without a token', async () => {
    const response = await t.http.get('/api/v1/users/me').expect(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
  });
});
