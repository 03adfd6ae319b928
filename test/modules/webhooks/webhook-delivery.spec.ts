import { randomUUID } from 'node:crypto';
import { Webhook as Verifier } from 'standardwebhooks';
import { withServer } from '../../../src/database/embedded-postgres.js';
import { sqlOf } from '../../../src/database/typed-sql.js';
import { createApiToken } from '../../factories/api-tokens.js';
import { createProject, createTask } from '../../factories/projects.js';
import { createTenantCrew, type TenantCrew } from '../../factories/tenants.js';
import { createWebhook, type CreatedWebhook } from '../../factories/webhooks.js';
import { built } from '../../support/built.js';
import { useTestApp } from '../../support/test-app.js';
import {
  startWebhookReceiver,
  type Answer,
  type ReceivedWebhook,
  type WebhookReceiver,
} from '../../support/webhook-receiver.js';

const [{ WebhookSweep }, { deliveryJobKey }] = await Promise.all([
  built('./modules/webhooks/webhook-sweep.js'),
  built('./modules/webhooks/webhook-dispatcher.js'),
]);

/** The verified body of a delivery (throws when no signature verifies with `secret`). */
const verified = (secret: string, request: ReceivedWebhook): unknown =>
  new Verifier(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });

const typeOf = (body: unknown): unknown => Reflect.get(Object(body), 'type');

/** The tests of a file share one receiver: each webhook gets a path of its own on it. */
function useReceiver() {
  let receiver: WebhookReceiver | undefined;
  const answers = new Map<string, (count: number) => Answer>();
  const counts = new Map<string, number>();
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    receiver.answer = (request) => {
      const count = (counts.get(request.path) ?? 0) + 1;
      counts.set(request.path, count);
      return answers.get(request.path)?.(count) ?? { status: 204 };
    };
  });
  afterAll(() => receiver?.close());
  return (answer?: (count: number) => Answer) => {
    if (!receiver) throw new Error('The receiver starts in beforeAll');
    const started = receiver;
    const path = `/hooks/${randomUUID()}`;
    if (answer) answers.set(path, answer);
    return {
      url: started.url + path,
      received: (count: number, timeoutMs?: number) =>
        started.waitFor(count, (request) => request.path === path, timeoutMs),
    };
  };
}

describe('webhook deliveries', () => {
  // The real queue, quick: retries 100 times sooner (5 s → 50 ms), due jobs found every 100 ms.
  const t = useTestApp({ JOB_CONCURRENCY: '2', JOB_POLL_INTERVAL_MS: '100', WEBHOOK_RETRY_SCALE: '0.01' });
  const endpoint = useReceiver();
  let crew: TenantCrew;
  let projectId: string;
  beforeAll(async () => {
    crew = await createTenantCrew(t.http);
    projectId = (await createProject(t.http, crew.tenant.id, crew.owner)).id;
  });

  const hooks = () => `/api/v1/tenants/${crew.tenant.id}/webhooks`;
  const subscribe = async (events: string[], answer?: (count: number) => Answer) => {
    const { url, received } = endpoint(answer);
    return { webhook: await createWebhook(t.http, crew.tenant.id, crew.owner, { url, events }), received };
  };
  const deliveries = async (webhook: CreatedWebhook, query = ''): Promise<Record<string, unknown>[]> =>
    (await t.http.get(`${hooks()}/${webhook.id}/deliveries${query}`).set(crew.owner.auth).expect(200)).body.data;
  /** Polls the delivery log until `check` passes. */
  const eventually = async (check: () => Promise<void>, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await check();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };

  it('signs every delivery as Standard Webhooks, the body carrying the event as the feed shows it', async () => {
    const { webhook, received } = await subscribe(['task.*']);
    const task = await createTask(t.http, crew.tenant.id, projectId, crew.member);
    // With an API token: the event's actor names it.
    const token = await createApiToken(t.http, crew.tenant.id, crew.member);
    await t.http
      .patch(`/api/v1/tenants/${crew.tenant.id}/tasks/${task.key}`)
      .set(token.auth)
      .send({ priority: 'high' })
      .expect(200);
    const requests = await received(2);
    const bodies = requests.map((request) => verified(webhook.secret, request));
    expect(bodies.map(typeOf).sort()).toEqual(['task.created', 'task.updated']);
    // Field for field the feed's event, and the event's time as the body's timestamp.
    const feed = await t.http
      .get(`/api/v1/tenants/${crew.tenant.id}/events?types=task.*`)
      .set(crew.owner.auth)
      .expect(200);
    const events: { id: string; type: string; occurredAt: string }[] = feed.body.data;
    for (const [index, request] of requests.entries()) {
      const event = events.find((candidate) => candidate.id === request.headers['webhook-id']);
      expect(bodies[index]).toEqual({ type: event?.type, timestamp: event?.occurredAt, data: event });
    }
    expect(bodies).toContainEqual(
      expect.objectContaining({
        data: expect.objectContaining({ actor: { userId: crew.member.id, tokenId: token.id } }),
      }),
    );
    requests.forEach((request, index) => {
      expect(request.headers['content-type']).toBe('application/json');
      expect(bodies[index]).toMatchObject({
        timestamp: expect.any(String),
        data: {
          id: request.headers['webhook-id'],
          seq: expect.any(Number),
          occurredAt: expect.any(String),
          projectId,
          data: { task: expect.objectContaining({ id: task.id }) },
        },
      });
    });
    const [first] = requests;
    if (!first) throw new Error('no delivery');
    expect(() => verified(`whsec_${Buffer.alloc(24, 7).toString('base64')}`, first)).toThrow();
    await eventually(async () =>
      expect(await deliveries(webhook, '?status=succeeded')).toEqual([
        expect.objectContaining({ attempt: 1, responseStatus: 204, error: null, nextAttemptAt: null }),
        expect.objectContaining({ attempt: 1, responseStatus: 204, error: null, nextAttemptAt: null }),
      ]),
    );
  });

  it('retries a failing endpoint with the same webhook-id and growing delays, then succeeds', async () => {
    const { webhook, received } = await subscribe(['task.created'], (count) =>
      count <= 3 ? { status: count === 2 ? 302 : 503, headers: { location: 'http://127.0.0.1:9/' } } : { status: 200 },
    );
    await createTask(t.http, crew.tenant.id, projectId, crew.member);
    const requests = await received(4);
    expect(new Set(requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
    for (const request of requests) verified(webhook.secret, request);
    const gaps = requests.slice(1).map((request, index) => request.receivedAt - (requests[index]?.receivedAt ?? 0));
    // 5 s, 30 s and 2 min, each ±20 %, scaled by 0.01 (and up to one 100 ms poll late).
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[1]).toBeGreaterThan(gaps[0] ?? 0);
    expect(gaps[2]).toBeGreaterThan(gaps[1] ?? 0);
    await eventually(async () =>
      expect(await deliveries(webhook)).toEqual([
        expect.objectContaining({ status: 'succeeded', attempt: 4, responseStatus: 200 }),
      ]),
    );
  });

  it('disables the webhook on a 410 and records webhook.disabled', async () => {
    const { webhook, received } = await subscribe(['task.created'], () => ({ status: 410 }));
    await createTask(t.http, crew.tenant.id, projectId, crew.member);
    await received(1);
    await eventually(async () => {
      const read = await t.http.get(`${hooks()}/${webhook.id}`).set(crew.owner.auth).expect(200);
      expect(read.body).toMatchObject({ active: false, disabledReason: 'The endpoint answered 410 Gone' });
    });
    expect(await deliveries(webhook)).toEqual([
      expect.objectContaining({ status: 'failed', attempt: 1, responseStatus: 410, nextAttemptAt: null }),
    ]);
    const events = await sqlOf(t.orm.em.fork())
      .selectFrom('events')
      .where('tenant_id', '=', crew.tenant.id)
      .where('type', '=', 'webhook.disabled')
      .select(['actor_user_id', 'data'])
      .execute();
    expect(events).toEqual([
      { actor_user_id: null, data: { webhook: expect.objectContaining({ id: webhook.id, active: false }) } },
    ]);
  });

  it('redelivers a delivery with the same webhook-id', async () => {
    const { webhook, received } = await subscribe(['task.created']);
    await createTask(t.http, crew.tenant.id, projectId, crew.member);
    const [original] = await received(1);
    const [delivery] = await deliveries(webhook);
    const again = await t.http
      .post(`${hooks()}/${webhook.id}/deliveries/${String(delivery?.id)}/redeliver`)
      .set(crew.owner.auth)
      .expect(202);
    expect(again.body).toMatchObject({ status: 'pending', attempt: 0, eventId: original?.headers['webhook-id'] });
    const requests = await received(2);
    expect(requests[1]?.headers['webhook-id']).toBe(original?.headers['webhook-id']);
    expect(requests[1]?.body).toBe(original?.body);
    await t.http.post(`${hooks()}/${webhook.id}/deliveries/${randomUUID()}/redeliver`).set(crew.owner.auth).expect(404);
  });

  it('signs with the old and the new secret for a day after a rotation', async () => {
    const { webhook, received } = await subscribe(['task.created']);
    const rotated = await t.http.post(`${hooks()}/${webhook.id}/rotate-secret`).set(crew.owner.auth).expect(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    await t.http.post(`${hooks()}/${webhook.id}/ping`).set(crew.owner.auth).expect(202);
    const [ping] = await received(1);
    if (!ping) throw new Error('no ping');
    expect(String(ping.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(typeOf(verified(webhook.secret, ping))).toBe('webhook.ping');
    expect(typeOf(verified(rotated.body.secret, ping))).toBe('webhook.ping');
  });

  it('sends again a delivery whose attempt died with its process (kill -9), its job locked for hours', async () => {
    const { webhook, received } = await subscribe(['task.created']);
    await createTask(t.http, crew.tenant.id, projectId, crew.member);
    const [sent] = await received(1);
    await eventually(async () =>
      expect(await deliveries(webhook)).toEqual([expect.objectContaining({ status: 'succeeded' })]),
    );
    const [delivery] = await deliveries(webhook);
    const id = String(delivery?.id);
    // What a kill -9 mid-attempt leaves: the row claimed (its lease since run out), not recorded,
    // and graphile-worker's job locked by a worker that is gone (it unlocks after 4 hours).
    await withServer(t.config.database.url, async (client) => {
      await client.query(
        `update webhook_deliveries set status = 'pending', attempt = 0, next_attempt_at = now() - interval '2 minutes',
           lease_until = now() - interval '1 second' where id = $1`,
        [id],
      );
      // One transaction: no worker of the app sees the job before it is locked.
      await client.query('begin');
      await client.query(`select graphile_worker.add_job('webhook.delivery', $1::json, job_key => $2)`, [
        JSON.stringify({ tenantId: crew.tenant.id, deliveryId: id }),
        deliveryJobKey(id),
      ]);
      await client.query(
        `update graphile_worker._private_jobs set locked_at = now(), locked_by = 'killed' where key = $1`,
        [deliveryJobKey(id)],
      );
      await client.query('commit');
    });
    expect(await t.app.get(WebhookSweep).sweep()).toBe(1);
    const requests = await received(2);
    expect(requests[1]?.headers['webhook-id']).toBe(sent?.headers['webhook-id']);
    await eventually(async () =>
      expect(await deliveries(webhook)).toEqual([expect.objectContaining({ status: 'succeeded', attempt: 1 })]),
    );
    expect(await t.app.get(WebhookSweep).sweep()).toBe(0);
  });
});

describe('webhook deliveries failing for three days', () => {
  // Three days of retries in under 3 s.
  const t = useTestApp({ JOB_CONCURRENCY: '2', JOB_POLL_INTERVAL_MS: '100', WEBHOOK_RETRY_SCALE: '0.00001' });
  const endpoint = useReceiver();

  it('gives up, disables the webhook and records webhook.disabled', async () => {
    const crew = await createTenantCrew(t.http);
    const project = await createProject(t.http, crew.tenant.id, crew.owner);
    const { url, received } = endpoint(() => ({ status: 500 }));
    const webhook = await createWebhook(t.http, crew.tenant.id, crew.owner, { url, events: ['task.created'] });
    const watcher = await createWebhook(t.http, crew.tenant.id, crew.owner, {
      url: endpoint().url,
      events: ['webhook.disabled'],
    });
    await createTask(t.http, crew.tenant.id, project.id, crew.member);
    const base = `/api/v1/tenants/${crew.tenant.id}/webhooks`;
    const deadline = Date.now() + 20_000;
    let read = await t.http.get(`${base}/${webhook.id}`).set(crew.owner.auth).expect(200);
    while (read.body.active && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      read = await t.http.get(`${base}/${webhook.id}`).set(crew.owner.auth).expect(200);
    }
    expect(read.body.disabledReason).toBe('Every attempt failed for 3 days (last: HTTP 500)');
    const attempts = (await received(10)).length;
    const [delivery] = (await t.http.get(`${base}/${webhook.id}/deliveries`).set(crew.owner.auth).expect(200)).body
      .data;
    expect(delivery).toMatchObject({ status: 'failed', attempt: attempts, responseStatus: 500, nextAttemptAt: null });
    expect(attempts).toBeGreaterThan(12);
    // The other webhook of the tenant is told.
    const watched = await t.http.get(`${base}/${watcher.id}/deliveries`).set(crew.owner.auth).expect(200);
    expect(watched.body.data).toEqual([expect.objectContaining({ eventType: 'webhook.disabled' })]);
  });
});
