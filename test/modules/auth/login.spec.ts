import { useTestApp } from '../../support/test-app.js';
import { registerUser, uniqueEmail } from '../../factories/users.js';

describe('POST /auth/login', () => {
  const t = useTestApp();

  const login = (body: object) => t.http.post('/api/v1/auth/login').send(body);

  it('signs in with the same body as register', async () => {
    const user = await registerUser(t.http);
    const response = await login({ email: user.email, password: user.password }).expect(200);
    expect(response.body).toEqual({
      user: { id: user.id, email: user.email, name: user.name, emailVerifiedAt: null, createdAt: expect.any(String) },
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
    });
  });

  it('accepts the email in any case and with surrounding spaces', async () => {
    const user = await registerUser(t.http);
    await login({ email: ` ${user.email.toUpperCase()} `, password: user.password }).expect(200);
  });

  it('answers a wrong password and an unknown email identically', async () => {
    const user = await registerUser(t.http);
    const wrongPassword = await login({ email: user.email, password: 'not the password at all' }).expect(401);
    const unknownEmail = await login({ email: uniqueEmail(), password: user.password }).expect(401);

    const { requestId: _a, ...first } = wrongPassword.body;
    const { requestId: _b, ...second } = unknownEmail.body;
    expect(first).toEqual(second);
    expect(first).toMatchObject({ status: 401, type: 'urn:yello:problem:invalid-credentials' });
    expect(wrongPassword.headers['www-authenticate']).toBe(unknownEmail.headers['www-authenticate']);
  });

  it('does not accept a password that only shares the first 72 bytes', async () => {
    const prefix = 'p'.repeat(72);
    const user = await registerUser(t.http, { password: `${prefix}-the-real-ending` });
    await login({ email: user.email, password: `${prefix}-another-ending` }).expect(401);
    await login({ email: user.email, password: user.password }).expect(200);
  });

  it('counts multi-byte characters past 72 bytes too', async () => {
    const prefix = 'é'.repeat(40); // 80 bytes
    const user = await registerUser(t.http, { password: `${prefix}a` });
    await login({ email: user.email, password: `${prefix}b` }).expect(401);
  });

  it.each([
    ['a missing password', { email: 'someone@example.com' }],
    ['a non-string email', { email: ['a@example.com'], password: 'whatever-password' }],
    ['an unknown field', { email: 'someone@example.com', password: 'whatever-password', admin: true }],
  ])('rejects %s with 400 before checking credentials', async (_case, body) => {
    const response = await login(body).expect(400);
    expect(response.body.type).toBe('urn:yello:problem:validation-failed');
  });
});
