import { useTestApp } from '../../support/test-app.js';
import { login, registerUser, type AuthHeader } from '../../factories/users.js';
import { createTenant } from '../../factories/tenants.js';

describe('users', () => {
  const t = useTestApp();

  describe('GET /users/me', () => {
    it('returns the caller’s profile and nothing secret', async () => {
      const user = await registerUser(t.http, { name: 'Grace Hopper' });
      const response = await t.http.get('/api/v1/users/me').set(user.auth).expect(200);
      expect(response.body).toEqual({
        id: user.id,
        email: user.email,
        name: 'Grace Hopper',
        emailVerifiedAt: null,
        createdAt: expect.any(String),
        memberships: [],
      });
    });

    it('lists the caller’s memberships with tenant name and role', async () => {
      const owner = await registerUser(t.http);
      const tenant = await createTenant(t.http, owner, { name: 'Hopper Labs' });
      const response = await t.http.get('/api/v1/users/me').set(owner.auth).expect(200);
      expect(response.body.memberships).toEqual([{ tenantId: tenant.id, tenantName: 'Hopper Labs', role: 'owner' }]);
    });
  });

  describe('PATCH /users/me', () => {
    it('updates the name', async () => {
      const user = await registerUser(t.http);
      const response = await t.http.patch('/api/v1/users/me').set(user.auth).send({ name: '  Ada King ' }).expect(200);
      expect(response.body.name).toBe('Ada King');
      expect((await t.http.get('/api/v1/users/me').set(user.auth)).body.name).toBe('Ada King');
    });

    it.each([
      ['the email', { email: 'new@example.com' }],
      ['the id', { id: '0190c7a4-0000-7000-8000-000000000000' }],
      ['the password hash', { passwordHash: 'x' }],
    ])('does not let a client write %s', async (_case, body) => {
      const user = await registerUser(t.http);
      const response = await t.http.patch('/api/v1/users/me').set(user.auth).send(body).expect(400);
      expect(response.body.errors[0].message).toBe('is not an accepted field');
    });
  });

  describe('POST /users/me/password', () => {
    const change = (auth: AuthHeader, body: object) => t.http.post('/api/v1/users/me/password').set(auth).send(body);

    it('changes the password and revokes every other session', async () => {
      const user = await registerUser(t.http);
      const laptop = await login(t.http, user);
      const newPassword = 'a brand new passphrase';

      await change(user.auth, { currentPassword: user.password, newPassword }).expect(204);

      await t.http.get('/api/v1/users/me').set(laptop.auth).expect(401);
      await t.http.post('/api/v1/auth/refresh').send({ refreshToken: laptop.refreshToken }).expect(401);
      await t.http.get('/api/v1/users/me').set(user.auth).expect(200);
      await t.http.post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(401);
      await login(t.http, { email: user.email, password: newPassword });
    });

    it('refuses a wrong current password and changes nothing', async () => {
      const user = await registerUser(t.http);
      const response = await change(user.auth, {
        currentPassword: 'not my password',
        newPassword: 'another good passphrase',
      }).expect(400);
      expect(response.body.errors).toEqual([{ path: 'currentPassword', message: 'is incorrect' }]);
      await login(t.http, user);
    });

    it.each([
      ['a common password', 'iloveyou'],
      ['too short', 'short'],
    ])('refuses a new password that is %s', async (_case, newPassword) => {
      const user = await registerUser(t.http);
      const response = await change(user.auth, { currentPassword: user.password, newPassword }).expect(400);
      expect(response.body.errors).toEqual([{ path: 'newPassword', message: expect.any(String) }]);
    });

    it('refuses the email as the new password', async () => {
      const user = await registerUser(t.http);
      await change(user.auth, { currentPassword: user.password, newPassword: user.email }).expect(400);
    });
  });
});
