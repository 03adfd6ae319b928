import { registerUser } from '../factories/users.js';
import { useTestApp } from '../support/test-app.js';

describe('unknown query parameters', () => {
  const t = useTestApp();

  it('are refused on a route that takes none, naming them', async () => {
    const user = await registerUser(t.http);
    const response = await t.http.get('/api/v1/users/me').query({ foo: '1' }).set(user.auth).expect(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({
      type: 'urn:yello:problem:unknown-query-parameter',
      status: 400,
      detail: 'Unknown query parameter: foo. This route takes no query parameters',
      errors: [{ path: 'foo', message: 'is not an accepted query parameter' }],
    });
  });

  it('are refused next to valid ones, listing the accepted parameters', async () => {
    const user = await registerUser(t.http);
    const response = await t.http
      .get('/api/v1/auth/sessions')
      .query({ limit: 5, sort: 'name', filter: 'x' })
      .set(user.auth)
      .expect(400);
    expect(response.body).toMatchObject({
      type: 'urn:yello:problem:unknown-query-parameter',
      detail: 'Unknown query parameters: sort, filter. Accepted: limit, cursor',
      errors: [
        { path: 'sort', message: 'is not an accepted query parameter' },
        { path: 'filter', message: 'is not an accepted query parameter' },
      ],
    });
  });

  it('leave the accepted parameters working', async () => {
    const user = await registerUser(t.http);
    const response = await t.http.get('/api/v1/auth/sessions').query({ limit: 1 }).set(user.auth).expect(200);
    expect(response.body.data).toHaveLength(1);
    await t.http.get('/api/v1/users/me').set(user.auth).expect(200);
  });

  it('are checked after authentication: an anonymous caller gets 401', async () => {
    await t.http.get('/api/v1/auth/sessions').query({ sort: 'name' }).expect(401);
    await t.http.get('/api/v1/users/me').query({ foo: '1' }).expect(401);
  });

  it('are refused on public routes too', async () => {
    const response = await t.http.get('/health/live').query({ verbose: '1' }).expect(400);
    expect(response.body.type).toBe('urn:yello:problem:unknown-query-parameter');
  });
});
