import { createTestApp, type TestApp } from '../../support/test-app.js';
import { registerUser, uniqueEmail } from '../../factories/users.js';

describe('POST /auth/register', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('creates the user and signs them in', async () => {
    const email = uniqueEmail();
    const response = await t.http
      .post('/api/v1/auth/register')
      .send({ email, name: 'Ada', password: 'correct horse battery staple' })
      .expect(201);

    expect(response.headers.location).toBe('/api/v1/users/me');
    expect(response.body).toEqual({
      user: { id: expect.any(String), email, name: 'Ada', createdAt: expect.any(String) },
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
    });
    await t.http.get('/api/v1/users/me').auth(response.body.accessToken, { type: 'bearer' }).expect(200);
  });
});
