import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { databaseUrl, dropDatabase, ensureDatabase } from '../../src/database/embedded-postgres.js';
import { testServerUrl } from '../support/test-app.js';
import { inheritedEnvironment } from '../support/server-process.js';

// The built server in development with its output piped (not a terminal): JSON lines, as a
// log collector reads them, from a start that applies every migration.
describe('the log of a development start', () => {
  const database = `yello_logs_${randomBytes(4).toString('hex')}`;
  let child: ChildProcessWithoutNullStreams;
  let output = '';
  const secret = randomBytes(16).toString('hex');

  beforeAll(async () => {
    await ensureDatabase(testServerUrl(), database); // empty: the migrator runs and logs
    child = spawn(process.execPath, ['dist/main.js'], {
      env: {
        ...inheritedEnvironment(),
        NODE_ENV: 'development',
        DATABASE_URL: databaseUrl(testServerUrl(), database),
        JWT_SECRET: randomBytes(32).toString('hex'),
        PORT: '0',
        LOG_LEVEL: 'info',
      },
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      // A busy machine (CI neighbours) may need far longer than the usual second.
      const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${output}`)), 60_000);
      child.stdout.on('data', () => {
        if (output.includes('listening at')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    // One refused request with a credential, for its access line.
    const api = /listening at (\S+)/.exec(output)?.[1];
    await fetch(`${api}/users/me`, { headers: { authorization: `Bearer ${secret}` } });
    for (let waited = 0; !output.includes('"statusCode":401') && waited < 5_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGTERM');
    await once(child, 'exit');
  }, 90_000);
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await dropDatabase(testServerUrl(), database);
  });

  const messages = () =>
    output
      .trim()
      .split('\n')
      .map((line) => String(JSON.parse(line).msg));

  it('is JSON lines without terminal colour codes, migrator messages included', () => {
    expect(messages().some((message) => message.includes('[migrator] Applied'))).toBe(true);
    // An escape character neither raw nor escaped inside a JSON string.
    const escape = String.fromCharCode(0x1b);
    expect(output).not.toContain(escape);
    expect(output).not.toContain('\\u001b');
  });

  it('writes an access line per request without its credential or the response headers', () => {
    const line = output
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text))
      .find((entry) => entry.msg === 'request completed');
    expect(line).toMatchObject({
      req: { method: 'GET', url: '/api/v1/users/me', headers: { authorization: '[redacted]' } },
    });
    expect(line.res).toEqual({ statusCode: 401 });
    expect(output).not.toContain(secret);
  });

  it('names the paths the probes are served at', () => {
    expect(messages()).toContain('HealthController {/health}:');
    expect(messages()).toContain('Mapped {/health/ready, GET} route');
  });
});
