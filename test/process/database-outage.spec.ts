import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  databaseUrl,
  ensureDatabase,
  findFreePort,
  startEmbeddedPostgres,
  type RunningPostgres,
} from '../../src/database/embedded-postgres.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../factories/users.js';

/** initdb and the migrations take about a second, but far longer on a machine that is busy. */
const STARTUP_TIMEOUT_MS = 120_000;

// The app on a PostgreSQL of its own, which this test stops and starts again.
describe('when PostgreSQL goes away', () => {
  let dir: string;
  let port: number;
  // Unset when start-up failed: the clean-up below must not hide that failure.
  let server: RunningPostgres | undefined;
  let t: TestApp | undefined;
  let user: RegisteredUser;
  const start = () => startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port, persistent: true });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yello-outage-'));
    await chmod(dir, 0o755);
    port = await findFreePort();
    server = await start();
    await ensureDatabase(server.url, 'yello');
    t = await createTestApp({
      DATABASE_URL: databaseUrl(server.url, 'yello'),
      MIGRATE_ON_START: 'true',
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
    });
    user = await registerUser(t.http);
  }, STARTUP_TIMEOUT_MS);
  // Closing the app and stopping PostgreSQL outlasted Jest's default 30 s on a loaded 2-core
  // machine (a full run next to the browser test).
  afterAll(async () => {
    await t?.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }, STARTUP_TIMEOUT_MS);

  it('answers 503 fast while it is down, and recovers by itself', async () => {
    if (!server || !t) throw new Error('start-up failed');
    await server.stop();

    const started = Date.now();
    const down = await t.http.get('/api/v1/users/me').set(user.auth);
    expect(down.status).toBe(503);
    expect(down.headers['content-type']).toContain('application/problem+json');
    expect(Date.now() - started).toBeLessThan(3_000);
    await t.http.get('/health/ready').expect(503);

    server = await start();
    await t.http.get('/health/ready').expect(200);
    await t.http.get('/api/v1/users/me').set(user.auth).expect(200);
  });
});
