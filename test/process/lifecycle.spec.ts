import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { setTimeout } from 'node:timers/promises';
import pg from 'pg';
import request from 'supertest';
import { databaseUrl, dropDatabase, ensureDatabase } from '../../src/database/embedded-postgres.js';
import { testServerUrl } from '../support/test-app.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { uniqueEmail } from '../factories/users.js';

/** The built server (`dist/main.js`, built by the global setup when stale) as an operator runs it, on a database of its own. */
function useServerProcess(
  env: Record<string, string> = {},
): () => { server: ServerProcess; baseUrl: string; databaseUrl: string } {
  const database = `yello_process_${randomBytes(4).toString('hex')}`;
  let started: { server: ServerProcess; baseUrl: string; databaseUrl: string } | undefined;
  beforeAll(async () => {
    await ensureDatabase(testServerUrl(), database, process.env.YELLO_TEST_TEMPLATE);
    const url = databaseUrl(testServerUrl(), database);
    const server = startServer(url, env);
    started = { server, baseUrl: await server.listening, databaseUrl: url };
  }, 120_000);
  afterAll(async () => {
    await started?.server.kill();
    await dropDatabase(testServerUrl(), database);
  });
  return () => {
    if (!started) throw new Error('The server starts in beforeAll');
    return started;
  };
}

async function registerThrough(baseUrl: string) {
  const credentials = { email: uniqueEmail(), password: 'a secret passphrase nobody logs' };
  const registered = await request(baseUrl)
    .post('/api/v1/auth/register')
    .send({ ...credentials, name: 'Ops' })
    .expect(201);
  return { credentials, body: registered.body, auth: { Authorization: `Bearer ${registered.body.accessToken}` } };
}

/** Resolves once the server has counted a login of `email` for its rate limit. */
async function loginCounted(url: string, email: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const key = `login:email:${email.toLowerCase()}`;
    for (let waited = 0; waited < 30_000; waited += 10) {
      const { rowCount } = await client.query('select 1 from rate_limit_counters where key = $1', [key]);
      if (rowCount) return;
      await setTimeout(10);
    }
    throw new Error('The server never counted the login');
  } finally {
    await client.end();
  }
}

describe('the API process', () => {
  const started = useServerProcess();

  it('logs JSON with request ids and never a secret; finishes in-flight requests on SIGTERM and exits 0', async () => {
    const { server, baseUrl, databaseUrl: url } = started();
    const http = request(baseUrl);
    const registered = await registerThrough(baseUrl);
    await http.get('/api/v1/users/me').set(registered.auth).set('X-Request-Id', 'trace-me').expect(200);

    // A login (bcrypt at the production cost) is in flight when the signal arrives: the
    // signal waits until the server has read it, seen as the login's rate-limit count in the
    // database, written before the password is hashed (a connection with no request read yet
    // is idle, and closed on shutdown; fixed delays fell short on a loaded machine).
    const login = httpRequest(new URL('/api/v1/auth/login', baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    const inFlight = new Promise<number | undefined>((resolve, reject) => {
      login.on('response', (response: IncomingMessage) => {
        response.resume();
        resolve(response.statusCode);
      });
      login.on('error', reject);
    });
    login.end(JSON.stringify(registered.credentials));
    await loginCounted(url, registered.credentials.email);
    server.child.kill('SIGTERM');
    const [status, exitCode] = await Promise.all([inFlight, server.exited]);

    expect(status).toBe(200);
    expect(exitCode).toBe(0);
    const lines = server
      .output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.some((line) => line.req?.id === 'trace-me')).toBe(true);
    for (const secret of [registered.credentials.password, registered.body.accessToken, registered.body.refreshToken]) {
      expect(server.output()).not.toContain(secret);
    }
  }, 120_000);
});

describe('the API process in a rolling deploy (SHUTDOWN_DELAY_MS)', () => {
  const started = useServerProcess({ SHUTDOWN_DELAY_MS: '3000' });

  it('on SIGTERM turns unready at once, serves new requests until the listener closes, then exits 0', async () => {
    const { server, baseUrl } = started();
    const http = request(baseUrl);
    const registered = await registerThrough(baseUrl);
    await http.get('/health/ready').expect(200);

    server.child.kill('SIGTERM');
    // Signal delivery is asynchronous: the first probes may still find the app ready.
    let ready = 200;
    while (ready === 200) ready = (await http.get('/health/ready')).status;
    expect(ready).toBe(503);
    // The balancer stops routing here once it sees the probe; what still arrives is served.
    await http.get('/health/live').expect(200);
    await http.get('/api/v1/users/me').set(registered.auth).expect(200);
    expect(server.child.exitCode).toBeNull();

    expect(await server.exited).toBe(0);
    await expect(http.get('/health/live')).rejects.toThrow(); // the listener is closed
  }, 120_000);
});
