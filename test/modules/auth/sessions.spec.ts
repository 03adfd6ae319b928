import { useTestApp } from '../../support/test-app.js';
import { bearer, login, registerUser, type AuthHeader } from '../../factories/users.js';

describe('sessions', () => {
  const t = useTestApp();

  const me = (auth: AuthHeader) => t.http.get('/api/v1/users/me').set(auth);

  describe('POST /auth/logout', () => {
    it('ends the session: its access and refresh tokens both stop working', async () => {
      const user = await registerUser(t.http);
      await t.http.post('/api/v1/auth/logout').set(user.auth).expect(204);
      await me(user.auth).expect(401);
      await t.http.post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
    });

    it('leaves the other sessions signed in', async () => {
      const user = await registerUser(t.http);
      const laptop = await login(t.http, user);
      await t.http.post('/api/v1/auth/logout').set(user.auth).expect(204);
      await me(laptop.auth).expect(200);
    });
  });

  describe('GET /auth/sessions', () => {
    it('lists the active sessions, newest first, marking the current one', async () => {
      const user = await registerUser(t.http);
      const phone = await t.http
        .post('/api/v1/auth/login')
        .set('User-Agent', 'YelloPhone/1.0')
        .send({ email: user.email, password: user.password })
        .expect(200);

      const response = await t.http.get('/api/v1/auth/sessions').set(bearer(phone.body.accessToken)).expect(200);
      expect(response.body.nextCursor).toBeNull();
      expect(response.body.data).toEqual([
        {
          id: expect.any(String),
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
          userAgent: 'YelloPhone/1.0',
          current: true,
        },
        expect.objectContaining({ current: false }),
      ]);
    });

    it('leaves out revoked sessions and other users’ sessions', async () => {
      const user = await registerUser(t.http);
      const second = await login(t.http, user);
      await registerUser(t.http);
      await t.http.post('/api/v1/auth/logout').set(second.auth).expect(204);

      const response = await t.http.get('/api/v1/auth/sessions').set(user.auth).expect(200);
      expect(response.body.data).toHaveLength(1);
    });

    it('pages with a cursor, without repeats or gaps', async () => {
      const user = await registerUser(t.http);
      for (let i = 0; i < 4; i++) await login(t.http, user);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: Record<string, string | number> = { limit: 2, ...(cursor ? { cursor } : {}) };
        const page = await t.http.get('/api/v1/auth/sessions').query(query).set(user.auth).expect(200);
        seen.push(...page.body.data.map((session: { id: string }) => session.id));
        cursor = page.body.nextCursor;
      } while (cursor);

      expect(seen).toHaveLength(5);
      expect(new Set(seen).size).toBe(5);
    });

    it.each([
      ['a tampered cursor', { cursor: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
      ['a limit over 100', { limit: 101 }],
      ['a limit of 0', { limit: 0 }],
      ['a non-numeric limit', { limit: 'ten' }],
    ])('rejects %s with 400', async (_case, query) => {
      const user = await registerUser(t.http);
      const response = await t.http.get('/api/v1/auth/sessions').query(query).set(user.auth).expect(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    });
  });

  describe('DELETE /auth/sessions/:sessionId', () => {
    const sessionsOf = async (auth: AuthHeader) =>
      (await t.http.get('/api/v1/auth/sessions').set(auth).expect(200)).body.data as { id: string; current: boolean }[];

    it('revokes another of the caller’s sessions at once', async () => {
      const user = await registerUser(t.http);
      const other = await login(t.http, user);
      const target = (await sessionsOf(user.auth)).find((session) => !session.current);

      await t.http.delete(`/api/v1/auth/sessions/${target?.id}`).set(user.auth).expect(204);
      await me(other.auth).expect(401);
      await me(user.auth).expect(200);
    });

    it('answers 404 for a session of another user, and leaves it alone', async () => {
      const owner = await registerUser(t.http);
      const intruder = await registerUser(t.http);
      const [session] = await sessionsOf(owner.auth);

      await t.http.delete(`/api/v1/auth/sessions/${session?.id}`).set(intruder.auth).expect(404);
      await me(owner.auth).expect(200);
    });

    it('answers 400 for a malformed id', async () => {
      const user = await registerUser(t.http);
      const response = await t.http.delete('/api/v1/auth/sessions/not-a-uuid').set(user.auth).expect(400);
      expect(response.body.errors).toEqual([{ path: 'sessionId', message: 'must be a UUID' }]);
    });
  });
});
