import { useTestApp } from '../../support/test-app.js';
import { registerUser, uniqueEmail } from '../../factories/users.js';

describe('POST /auth/register', () => {
  const t = useTestApp();

  const register = (body: object) => t.http.post('/api/v1/auth/register').send(body);
  const valid = () => ({ email: uniqueEmail(), name: 'Ada', password: 'correct horse battery staple' });

  it('creates the user and signs them in', async () => {
    const body = valid();
    const response = await register(body).expect(201);

    expect(response.headers.location).toBe('/api/v1/users/me');
    expect(response.body).toEqual({
      user: {
        id: expect.any(String),
        email: body.email,
        name: 'Ada',
        emailVerifiedAt: null,
        createdAt: expect.any(String),
      },
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
    });
    const me = await t.http.get('/api/v1/users/me').auth(response.body.accessToken, { type: 'bearer' }).expect(200);
    expect(me.body.id).toBe(response.body.user.id);
  });

  it('stores the email trimmed and lower-cased', async () => {
    const response = await register({ ...valid(), email: '  Mixed.Case@Example.COM ' }).expect(201);
    expect(response.body.user.email).toBe('mixed.case@example.com');
  });

  it('refuses an email already registered, whatever its case', async () => {
    const existing = await registerUser(t.http);
    const response = await register({ ...valid(), email: existing.email.toUpperCase() }).expect(409);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 409, type: 'urn:yello:problem:email-taken' });
    // Nothing was created: no Location (a static @Header once sent it on every answer).
    expect(response.headers.location).toBeUndefined();
  });

  it.each([
    ['shorter than 8 characters', 'short'],
    ['longer than 128 characters', 'x'.repeat(129)],
    ['one of the most common passwords', 'password1'],
    ['a common password in other case', 'BaseBall1'],
  ])('refuses a password %s', async (_case, password) => {
    const response = await register({ ...valid(), password }).expect(400);
    expect(response.body.errors).toEqual([{ path: 'password', message: expect.any(String) }]);
  });

  it('refuses the email as password', async () => {
    const email = uniqueEmail();
    const response = await register({ ...valid(), email, password: email.toUpperCase() }).expect(400);
    expect(response.body.errors).toEqual([{ path: 'password', message: 'must not be the email address' }]);
  });

  it('names unknown fields and wrong types', async () => {
    const response = await register({ ...valid(), name: 42, isAdmin: true }).expect(400);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'isAdmin', message: 'is not an accepted field' },
        { path: 'name', message: 'must be a string' },
      ]),
    );
    expect(response.body.detail).toMatch(/isAdmin/);
  });

  it.each([
    ['an invalid email', { email: 'not-an-email' }],
    ['an empty name', { name: '   ' }],
    ['a name over 100 characters', { name: 'n'.repeat(101) }],
  ])('refuses %s', async (_case, override) => {
    await register({ ...valid(), ...override }).expect(400);
  });
});

describe('password hashing with the default configuration', () => {
  const t = useTestApp({ BCRYPT_COST: undefined }); // the default

  it('uses bcrypt with cost 12', async () => {
    const user = await registerUser(t.http);
    const connection = t.orm.em.getConnection();
    const [row] = await connection.execute<{ password_hash: string }[]>(
      'select password_hash from users where id = ?',
      [user.id],
    );
    expect(row?.password_hash).toMatch(/^\$2b\$12\$/);
  });
});
