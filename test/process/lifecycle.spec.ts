import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import request from 'supertest';
import { databaseUrl, dropDatabase, ensureDatabase } from '../../src/database/embedded-postgres.js';
import { testServerUrl } from '../support/test-app.js';
import { uniqueEmail } from '../factories/users.js';

// The built server (`dist/main.js`, built by `pretest`) as an operator runs it.
describe('the API process', () => {
  const database = `yello_process_${randomBytes(4).toString('hex')}`;
  let child: ChildProcessWithoutNullStreams;
  let output = '';
  let baseUrl: string;

  beforeAll(async () => {
    await ensureDatabase(testServerUrl(), database, process.env.YELLO_TEST_TEMPLATE);
    child = spawn(process.execPath, ['dist/main.js'], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl(testServerUrl(), database),
        JWT_SECRET: randomBytes(32).toString('hex'),
        PORT: '0',
        LOG_LEVEL: 'info',
      },
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    baseUrl = await new Promise<string>((resolve, reject) => {
      // About a second on a quiet machine; a busy one (CI neighbours) may need far longer.
      const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${output}`)), 60_000);
      child.stdout.on('data', () => {
        const match = /listening at (http:\/\/\S+)\/api\/v1/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
  }, 90_000);
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await dropDatabase(testServerUrl(), database);
  });

  it('logs JSON with request ids and never a secret; finishes in-flight requests on SIGTERM and exits 0', async () => {
    const http = request(baseUrl);
    const credentials = { email: uniqueEmail(), password: 'a secret passphrase nobody logs' };
    const registered = await http
      .post('/api/v1/auth/register')
      .send({ ...credentials, name: 'Ops' })
      .expect(201);
    await http
      .get('/api/v1/users/me')
      .set('Authorization', `Bearer ${registered.body.accessToken}`)
      .set('X-Request-Id', 'trace-me')
      .expect(200);

    // A login (bcrypt at the production cost) is in flight when the signal arrives.
    const inFlight = http
      .post('/api/v1/auth/login')
      .send(credentials)
      .then((response) => response.status);
    await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGTERM');
    const [status, [exitCode]] = await Promise.all([inFlight, once(child, 'exit')]);

    expect(status).toBe(200);
    expect(exitCode).toBe(0);
    const lines = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.some((line) => line.req?.id === 'trace-me')).toBe(true);
    for (const secret of [credentials.password, registered.body.accessToken, registered.body.refreshToken]) {
      expect(output).not.toContain(secret);
    }
  });
});
