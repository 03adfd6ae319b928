import { connect } from 'node:net';
import { useTestApp } from '../support/test-app.js';

describe('HTTP conventions', () => {
  const t = useTestApp();

  const expectProblem = (response: {
    status: number;
    headers: Record<string, string>;
    body: Record<string, unknown>;
  }) => {
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({
      type: expect.any(String),
      title: expect.any(String),
      status: response.status,
      detail: expect.any(String),
      requestId: response.headers['x-request-id'],
    });
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.(ts|js):\d+|select |insert |Exception/i);
  };

  it('answers malformed JSON with 400', async () => {
    const response = await t.http
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": "a@b.c", ')
      .expect(400);
    expectProblem(response);
  });

  it('answers a non-JSON content type with 415', async () => {
    const response = await t.http
      .post('/api/v1/auth/login')
      .set('Content-Type', 'text/plain')
      .send('hello')
      .expect(415);
    expectProblem(response);
  });

  it('answers a body over 1 MiB with 413', async () => {
    const response = await t.http
      .post('/api/v1/auth/register')
      .send({ email: 'big@example.com', name: 'x'.repeat(1024 * 1024), password: 'whatever passphrase' })
      .expect(413);
    expectProblem(response);
  });

  it('answers an unknown route with 404', async () => {
    expectProblem(await t.http.get('/api/v1/no-such-thing').expect(404));
    expectProblem(await t.http.get('/nowhere').expect(404));
  });

  it('answers a JSON array or scalar body with 400', async () => {
    expectProblem(await t.http.post('/api/v1/auth/login').send([1, 2]).expect(400));
    expectProblem(
      await t.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').send('"x"').expect(400),
    );
  });

  it('survives deeply nested JSON', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const response = await t.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').send(deep);
    expect(response.status).toBe(400);
    expectProblem(response);
  });

  it('refuses NUL characters, which PostgreSQL text cannot store', async () => {
    const response = await t.http
      .post('/api/v1/auth/register')
      .send({ email: 'nul@example.com', name: 'a\u0000b', password: 'correct horse battery staple' })
      .expect(400);
    expectProblem(response);
  });

  it('answers headers over 16 KiB with a 431 problem', async () => {
    const response = await t.http.get('/health/live').set('X-Padding', 'x'.repeat(20_000)).expect(431);
    expectProblem(response);
  });

  it('answers malformed framing (Content-Length with Transfer-Encoding) with a 400 problem', async () => {
    const { port } = new URL(t.baseUrl);
    const raw = await new Promise<string>((resolve, reject) => {
      let received = '';
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write(
          'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        ),
      );
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('Content-Type: application/problem+json');
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, title: 'Bad Request' });
  });

  it('echoes a well-formed X-Request-Id and mints one otherwise', async () => {
    const echoed = await t.http.get('/health/live').set('X-Request-Id', 'trace-42').expect(200);
    expect(echoed.headers['x-request-id']).toBe('trace-42');

    const minted = await t.http.get('/health/live').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves Swagger UI with a CSP that keeps its assets on the scheme it was opened with', async () => {
    const response = await t.http.get('/docs').set('Host', 'yello.internal:3000').expect(200);
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('sends security headers and no CORS headers by default', async () => {
    const response = await t.http.get('/health/live').set('Origin', 'https://evil.example').expect(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toBeDefined();
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('names ten offending fields at most, with a count of the rest', async () => {
    const body = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${i}`, 0]));
    const response = await t.http.post('/api/v1/auth/login').send(body).expect(400);
    expectProblem(response);
    expect(response.body.detail).toBe('Invalid fields: k0, k1, k2, k3, k4, k5, k6, k7, k8, k9 and 17 more');
    expect(response.body.errors).toHaveLength(10);
  });
});

describe('CORS allow-list', () => {
  const t = useTestApp({ CORS_ORIGINS: 'https://app.yello.example' });

  it('allows configured origins only', async () => {
    const allowed = await t.http.get('/health/live').set('Origin', 'https://app.yello.example');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.yello.example');
    expect(allowed.headers['access-control-expose-headers']).toMatch(/X-Request-Id.*Retry-After.*RateLimit-Remaining/);
    const other = await t.http.get('/health/live').set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('health probes', () => {
  const t = useTestApp();

  it('are public and report the database', async () => {
    await t.http.get('/health/live').expect(200);
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body.info.database.status).toBe('up');
  });
});
