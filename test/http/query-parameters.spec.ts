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

  it('are named ten at most, each clipped, with a count of the rest', async () => {
    const names = ['a'.repeat(5_000), ...Array.from({ length: 12 }, (_, i) => `k${i}`)];
    const response = await t.http
      .get('/health/live')
      .query(Object.fromEntries(names.map((name) => [name, '1'])))
      .expect(400);
    const clipped = `${'a'.repeat(100)}…`;
    expect(response.body.detail).toBe(
      `Unknown query parameters: ${clipped}, k0, k1, k2, k3, k4, k5, k6, k7, k8 and 3 more. This route takes no query parameters`,
    );
    expect(response.body.errors).toHaveLength(10);
    expect(response.body.errors[0].path).toBe(clipped);
  });

  it('refuse NUL in a query or path parameter as a 400, never reaching PostgreSQL', async () => {
    const user = await registerUser(t.http);
    const tenant = await t.http.post('/api/v1/tenants').set(user.auth).send({ name: 'Nul' }).expect(201);
    const tasks = `/api/v1/tenants/${tenant.body.id}/tasks`;
    const query = await t.http.get(`${tasks}?q=%00`).set(user.auth).expect(400);
    expect(query.body.errors).toEqual([{ path: 'q', message: 'Strings must not contain NUL (\\u0000) characters' }]);
    const path = await t.http.get(`${tasks}/YEL-1%00`).set(user.auth).expect(400);
    expect(path.body.errors).toEqual([expect.objectContaining({ path: 'taskRef' })]);
  });
});
