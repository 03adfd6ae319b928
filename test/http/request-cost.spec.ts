import type { Response, Test } from 'supertest';
import { registerUser, type RegisteredUser } from '../factories/users.js';
import { useTestApp } from '../support/test-app.js';

/** Just under the 1 MiB body limit. */
const BODY_BYTES = 1_000_000;
const repeated = (unit: string, bytes = BODY_BYTES) => unit.repeat(Math.floor(bytes / Buffer.byteLength(unit)));
/** `{"k0":0,"k1":0,…}` of about `bytes` bytes (some 90 000 keys). */
const manyKeys = (bytes = BODY_BYTES) => {
  let text = '{"k0":0';
  for (let i = 1; text.length < bytes - 20; i++) text += `,"k${i}":0`;
  return `${text}}`;
};
const manyParameters = (name: (i: number) => string) =>
  Array.from({ length: 1_500 }, (_, i) => `${name(i)}=1`).join('&');
const LONG = repeated('a', 900_000);
const json = (value: object) => JSON.stringify(value);

type Shape = [name: string, send: (user: RegisteredUser) => Test];

/**
 * One hostile request of each shape, each under the body and header limits, must cost
 * little: the app answers it with a short problem and keeps serving `/health/live`.
 */
describe('the cost of a hostile request', () => {
  const t = useTestApp();
  let user: RegisteredUser;
  beforeAll(async () => {
    user = await registerUser(t.http);
  });

  const post = (path: string, body: string) => t.http.post(path).set('Content-Type', 'application/json').send(body);
  const SHAPES: Shape[] = [
    ['many keys (refresh)', () => post('/api/v1/auth/refresh', manyKeys())],
    ['many keys (login)', () => post('/api/v1/auth/login', manyKeys())],
    ['many keys in a field (register)', () => post('/api/v1/auth/register', `{"email":${manyKeys()}}`)],
    ['long array (refresh)', () => post('/api/v1/auth/refresh', `{"refreshToken":[${repeated('0,')}0]}`)],
    ['array of objects (login)', () => post('/api/v1/auth/login', `[${repeated('{},')}{}]`)],
    ['deep arrays (login)', () => post('/api/v1/auth/login', `${repeated('[', 400_000)}${repeated(']', 400_000)}`)],
    [
      'deep objects (login)',
      () => post('/api/v1/auth/login', `${repeated('{"a":', 500_000)}1${repeated('}', 100_000)}`),
    ],
    [
      'long email (register)',
      () => post('/api/v1/auth/register', json({ email: `${LONG}@example.com`, name: 'A', password: 'x' })),
    ],
    ['long email (login)', () => post('/api/v1/auth/login', json({ email: `a@${LONG}.com`, password: 'x' }))],
    [
      'long name (register)',
      () => post('/api/v1/auth/register', json({ email: 'a@example.com', name: repeated('a\uFE0F', 900_000) })),
    ],
    [
      'long password (register)',
      () => post('/api/v1/auth/register', json({ email: 'a@example.com', name: 'A', password: LONG })),
    ],
    ['long password (login)', () => post('/api/v1/auth/login', json({ email: 'a@example.com', password: LONG }))],
    ['long token (refresh)', () => post('/api/v1/auth/refresh', json({ refreshToken: LONG }))],
    ['long unknown key (login)', () => post('/api/v1/auth/login', json({ [LONG]: 1 }))],
    [
      'long slug (tenants)',
      (u) => post('/api/v1/tenants', json({ name: 'A', slug: `${repeated('a-', 900_000)}!` })).set(u.auth),
    ],
    ['many query parameters (anonymous)', () => post(`/api/v1/auth/login?${manyParameters((i) => `p${i}`)}`, '{}')],
    [
      'many query parameters (tenants)',
      (u) => t.http.get(`/api/v1/tenants?${manyParameters((i) => `p${i}`)}`).set(u.auth),
    ],
    [
      'a repeated query parameter (tenants)',
      (u) => t.http.get(`/api/v1/tenants?${manyParameters(() => 'limit')}`).set(u.auth),
    ],
    [
      'many headers (login)',
      () =>
        post('/api/v1/auth/login', '{}').set(
          Object.fromEntries(Array.from({ length: 900 }, (_, i) => [`x-h${i}`, '1'])),
        ),
    ],
  ];

  /**
   * How long one /health/live round trip was held up by work in this process (app and client
   * share it): its time, but no more than the CPU time the process used meanwhile. What a
   * hostile request could cost is work (a loop blocked by parsing counts as the CPU time it
   * took); a machine busy elsewhere (the other Jest worker, other jobs) delays the answer
   * without this process working, and does not count. Measured by wall time alone, a 777 ms
   * probe under a parallel run on a loaded machine failed a 627 ms bound.
   */
  async function liveProbe(): Promise<number> {
    const started = performance.now();
    const cpu = process.cpuUsage();
    await t.http.get('/health/live').expect(200);
    const used = process.cpuUsage(cpu);
    return Math.min(performance.now() - started, (used.user + used.system) / 1000);
  }

  /** The slowest of a few probes: what "responsive" means on this machine now. */
  async function slowestLiveProbe(): Promise<number> {
    let slowest = 0;
    for (let i = 0; i < 10; i++) slowest = Math.max(slowest, await liveProbe());
    return slowest;
  }

  it.each(SHAPES)('%s: a short 4xx problem, and /health/live stays responsive', async (_name, send) => {
    // A stall is seconds of a blocked event loop; a busy machine alone slows every probe alike.
    const stall = Math.max(500, 10 * (await slowestLiveProbe()));
    const hostileRequest = { done: false };
    const hostile = send(user).then((response: Response) => {
      hostileRequest.done = true;
      return response;
    });
    let slowestLive = 0;
    do {
      slowestLive = Math.max(slowestLive, await liveProbe());
    } while (!hostileRequest.done);
    const response = await hostile;

    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.text.length).toBeLessThan(10_000);
    expect(slowestLive).toBeLessThan(stall);
  });

  const keys = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, 0]));

  it('parses up to 1000 properties and array items, refusing more before validation', async () => {
    const refused = await t.http
      .post('/api/v1/auth/login')
      .send({ ...keys(999), list: [0] })
      .expect(400);
    expect(refused.body).toMatchObject({
      type: 'urn:yello:problem:unacceptable-json',
      detail: 'The JSON body has more than 1000 properties and array items',
    });

    const parsed = await t.http.post('/api/v1/auth/login').send(keys(1000)).expect(400);
    expect(parsed.body.type).toBe('urn:yello:problem:validation-failed');
  });
});
