import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Webhook as Verifier } from 'standardwebhooks';
import { databaseUrl, dropDatabase, ensureDatabase } from '../../src/database/embedded-postgres.js';
import { createProject, createTask } from '../factories/projects.js';
import { createTenant } from '../factories/tenants.js';
import { registerUser } from '../factories/users.js';
import { createWebhook } from '../factories/webhooks.js';
import { clusterSecret, startServer, type ServerProcess } from '../support/server-process.js';
import { testServerUrl } from '../support/test-app.js';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../support/webhook-receiver.js';

const START_TIMEOUT_MS = 180_000;

/** The verified body of a delivery (throws when its signature does not verify with `secret`). */
const verified = (secret: string, delivery: ReceivedWebhook): unknown =>
  new Verifier(secret).verify(delivery.body, {
    'webhook-id': String(delivery.headers['webhook-id']),
    'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
    'webhook-signature': String(delivery.headers['webhook-signature']),
  });

/**
 * At least once across `kill -9`: the app is killed while its attempt waits for the receiver's
 * answer, so nothing of that attempt is recorded and its job stays locked by a dead worker
 * (for hours, in graphile-worker). Another app on the same database sends the delivery
 * again once the attempt's lease has run out: one second here (`WEBHOOK_LEASE_MS`).
 */
describe('a webhook delivery in flight when its app is killed', () => {
  const database = `yello_webhook_crash_${randomBytes(4).toString('hex')}`;
  const servers: ServerProcess[] = [];
  // Both apps alike: the same JWT secret (it keys the sealed webhook secrets), loopback
  // receivers allowed (not production), cheap sign-ups, a one-second lease.
  const env = {
    JWT_SECRET: clusterSecret(),
    NODE_ENV: 'test',
    BCRYPT_COST: '4',
    WEBHOOK_LEASE_MS: '1000',
    DATABASE_CONNECT_TIMEOUT_MS: '30000',
  };
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    await ensureDatabase(testServerUrl(), database, process.env.YELLO_TEST_TEMPLATE);
    receiver = await startWebhookReceiver();
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.kill()));
    await receiver.close();
    await dropDatabase(testServerUrl(), database);
  });

  const start = (): ServerProcess => {
    const server = startServer(databaseUrl(testServerUrl(), database), env);
    servers.push(server);
    return server;
  };

  it('is sent again, with the same webhook-id, by another app on the database', async () => {
    // The first request is held open (until the receiver closes); later ones are answered.
    receiver.answer = (delivery) =>
      delivery === receiver.received[0] ? new Promise(() => undefined) : { status: 204 };
    const first = start();
    const a = request(await first.listening);
    const owner = await registerUser(a);
    const tenant = await createTenant(a, owner);
    const project = await createProject(a, tenant.id, owner);
    const webhook = await createWebhook(a, tenant.id, owner, {
      url: `${receiver.url}/hooks/crash`,
      events: ['task.created'],
    });
    const task = await createTask(a, tenant.id, project.id, owner);

    const [inFlight] = await receiver.waitFor(1);
    if (!inFlight) throw new Error('no delivery');
    await first.kill();

    const second = start();
    const b = request(await second.listening);
    const [, again] = await receiver.waitFor(2);
    if (!again) throw new Error('no second delivery');

    expect(again.headers['webhook-id']).toBe(inFlight.headers['webhook-id']);
    expect(verified(webhook.secret, again)).toEqual(verified(webhook.secret, inFlight));
    expect(verified(webhook.secret, again)).toMatchObject({
      type: 'task.created',
      data: { data: { task: { id: task.id } } },
    });
    // The killed attempt left no trace in the log: the one that got through is its first.
    const log = async (): Promise<{ status: string }[]> =>
      (await b.get(`/api/v1/tenants/${tenant.id}/webhooks/${webhook.id}/deliveries`).set(owner.auth).expect(200)).body
        .data;
    const deadline = Date.now() + 10_000;
    let deliveries = await log();
    while (deliveries[0]?.status === 'pending' && Date.now() < deadline) deliveries = await log();
    expect(deliveries).toEqual([expect.objectContaining({ status: 'succeeded', attempt: 1, responseStatus: 204 })]);
    expect(receiver.received).toHaveLength(2);
  }, 60_000);
});
