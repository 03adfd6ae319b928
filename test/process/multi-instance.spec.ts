import { randomBytes } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { databaseUrl, dropDatabase, ensureDatabase } from '../../src/database/embedded-postgres.js';
import { serverSentEvents } from '../support/event-stream.js';
import { testServerUrl } from '../support/test-app.js';
import { clusterSecret, startServer, type ServerProcess } from '../support/server-process.js';
import { addMember, createTenant } from '../factories/tenants.js';
import { createProject } from '../factories/projects.js';
import { registerUser } from '../factories/users.js';

const START_TIMEOUT_MS = 180_000;

/**
 * Three instances of the built server started at once on an empty database, behind no
 * balancer at all: they race to migrate it, then each test picks the instance it talks to.
 * The schema check comes last, as it leaves the database claiming a newer schema.
 */
describe('instances of one database', () => {
  const database = `yello_cluster_${randomBytes(4).toString('hex')}`;
  const servers: ServerProcess[] = [];
  const url = () => databaseUrl(testServerUrl(), database);
  let a: ReturnType<typeof request>;
  let b: ReturnType<typeof request>;
  let urlOfB: string;

  beforeAll(async () => {
    await ensureDatabase(testServerUrl(), database);
    // As in task-numbers.spec: 200 requests queue on one project row behind pools of 10
    // connections; on a busy machine that wait can pass the default 3 s.
    // bcrypt at the production cost made the sign-ups and the ten failed logins below most
    // of this file's time; NODE_ENV=test changes nothing else (the lifecycle spec keeps it).
    const env = {
      JWT_SECRET: clusterSecret(),
      DATABASE_CONNECT_TIMEOUT_MS: '30000',
      NODE_ENV: 'test',
      BCRYPT_COST: '4',
    };
    const [serverA, serverB, serverC] = [startServer(url(), env), startServer(url(), env), startServer(url(), env)];
    servers.push(serverA, serverB, serverC);
    const [urlA, urlB] = await Promise.all([serverA.listening, serverB.listening]);
    a = request(urlA);
    b = request(urlB);
    urlOfB = urlB;
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.kill()));
    await dropDatabase(testServerUrl(), database);
  });

  it(
    'all three become ready; exactly one of them migrates',
    async () => {
      const urls = await Promise.all(servers.map((server) => server.listening));
      for (const base of urls) await request(base).get('/health/ready').expect(200);

      const migrated = servers.filter((server) => /Applied \d+ migration\(s\)/.test(server.output()));
      expect(migrated).toHaveLength(1);
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        const { rows } = await client.query<{ name: string; runs: number }>(
          'select name, count(*)::int as runs from mikro_orm_migrations group by name having count(*) > 1',
        );
        expect(rows).toEqual([]);
      } finally {
        await client.end();
      }
    },
    START_TIMEOUT_MS,
  );

  it('refuses on one a session revoked through the other, at once', async () => {
    const user = await registerUser(a);
    await b.get('/api/v1/users/me').set(user.auth).expect(200);
    await a.post('/api/v1/auth/logout').set(user.auth).expect(204);
    await b.get('/api/v1/users/me').set(user.auth).expect(401);
  }, 60_000);

  it('creates one resource for an Idempotency-Key sent to both at once', async () => {
    const user = await registerUser(a);
    const create = (instance: typeof a) =>
      instance
        .post('/api/v1/tenants')
        .set(user.auth)
        .set('Idempotency-Key', 'one-tenant')
        .send({ name: 'Exactly once' });
    const statuses = (await Promise.all([create(a), create(b)])).map((response) => response.status);

    expect(statuses).toContain(201);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    const tenants = await b.get('/api/v1/tenants').set(user.auth).expect(200);
    expect(tenants.body.data.filter((tenant: { name: string }) => tenant.name === 'Exactly once')).toHaveLength(1);
  }, 60_000);

  it('holds the login limit across both: 10 failures split over the instances, then 429 on either', async () => {
    const user = await registerUser(a);
    const fail = (instance: typeof a) =>
      instance.post('/api/v1/auth/login').send({ email: user.email, password: 'not the password at all' });
    for (let attempt = 0; attempt < 10; attempt++) await fail(attempt % 2 === 0 ? a : b).expect(401);

    const limited = await fail(a).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await fail(b).expect(429);
  }, 120_000);

  it('numbers 200 concurrent task creations split across both 1 to 200', async () => {
    const owner = await registerUser(a);
    const tenant = await createTenant(a, owner);
    const project = await createProject(a, tenant.id, owner, { key: 'SCALE' });
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 === 0 ? a : b)
          .post(`/api/v1/tenants/${tenant.id}/projects/${project.id}/tasks`)
          .set(owner.auth)
          .send({ title: `Task ${i}` }),
      ),
    );

    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 200 }, () => 201));
    const numbers = responses.map((response) => Number(/^SCALE-(\d+)$/.exec(response.body.key)?.[1]));
    expect(numbers.sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  }, 180_000);

  it('streams on one instance what commits through either, numbered without a gap', async () => {
    const owner = await registerUser(a);
    const tenant = await createTenant(a, owner);
    const project = await createProject(a, tenant.id, owner);
    const hangUp = new AbortController();
    const stream = await fetch(`${urlOfB}/api/v1/tenants/${tenant.id}/events/stream`, {
      headers: owner.auth,
      signal: hangUp.signal,
    });
    const received = serverSentEvents(stream.body ?? new ReadableStream());
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? a : b)
          .post(`/api/v1/tenants/${tenant.id}/projects/${project.id}/tasks`)
          .set(owner.auth)
          .send({ title: `Task ${i}` })
          .expect(201),
      ),
    );
    const seqs: number[] = [];
    for (let i = 0; i < 20; i++) seqs.push((await received.next()).value?.data?.seq ?? 0);
    hangUp.abort();
    // The project's creation was event 1.
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    const read = await a.get(`/api/v1/tenants/${tenant.id}/events`).set(owner.auth).expect(200);
    expect(read.body.data.map((event: { seq: number }) => event.seq)).toEqual(
      Array.from({ length: 21 }, (_, i) => i + 1),
    );
  }, 60_000);

  it('enforces on one a membership change made through the other, on the next request', async () => {
    const owner = await registerUser(a);
    const tenant = await createTenant(a, owner);
    const project = await createProject(a, tenant.id, owner);
    const member = await addMember(a, tenant.id, owner, 'member');
    const createTask = () =>
      b.post(`/api/v1/tenants/${tenant.id}/projects/${project.id}/tasks`).set(member.auth).send({ title: 'Mine' });
    await createTask().expect(201);

    await a
      .patch(`/api/v1/tenants/${tenant.id}/members/${member.id}`)
      .set(owner.auth)
      .send({ role: 'viewer' })
      .expect(200);
    await createTask().expect(403);

    await a.delete(`/api/v1/tenants/${tenant.id}/members/${member.id}`).set(owner.auth).expect(204);
    await b.get(`/api/v1/tenants/${tenant.id}/projects/${project.id}`).set(member.auth).expect(404);
  }, 120_000);

  it(
    'refuses to start an instance whose code is older than the schema, and says why',
    async () => {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`insert into mikro_orm_migrations (name) values ('Migration29991231000000')`);
      } finally {
        await client.end();
      }
      const older = startServer(url());
      servers.push(older);

      expect(await older.exited).toBe(1);
      expect(older.output()).toContain('Migration29991231000000');
      expect(older.output()).toContain('a newer version of Yello migrated it');
    },
    START_TIMEOUT_MS,
  );
});
