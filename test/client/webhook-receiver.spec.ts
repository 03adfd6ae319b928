import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { findFreePort } from '../../src/database/embedded-postgres.js';
import { createProject, createTask } from '../factories/projects.js';
import { createTenantCrew } from '../factories/tenants.js';
import { createWebhook } from '../factories/webhooks.js';
import { useTestApp } from '../support/test-app.js';
import { inheritedEnvironment } from '../support/server-process.js';

/**
 * `client/webhook-receiver.ts`, the receiver of the docs, run as its header says: each
 * delivery it prints has verified with the `standardwebhooks` package.
 */
describe('the webhook receiver example', () => {
  const t = useTestApp({ JOB_CONCURRENCY: '1', JOB_POLL_INTERVAL_MS: '100' });

  it('is the one docs/webhooks.md shows', async () => {
    const code = (await readFile('client/webhook-receiver.ts', 'utf8')).replace(/^\/\/.*\n/gm, '');
    expect(await readFile('docs/webhooks.md', 'utf8')).toContain(`\`\`\`ts\n${code}\`\`\``);
  });

  it('verifies the deliveries of a webhook', async () => {
    const crew = await createTenantCrew(t.http);
    const project = await createProject(t.http, crew.tenant.id, crew.owner);
    const port = await findFreePort();
    const webhook = await createWebhook(t.http, crew.tenant.id, crew.owner, {
      url: `http://127.0.0.1:${port}/`,
      events: ['task.created'],
    });
    const receiver = spawn(process.execPath, ['client/webhook-receiver.ts'], {
      env: { ...inheritedEnvironment(), WEBHOOK_SECRET: webhook.secret, PORT: String(port) },
    });
    try {
      let output = '';
      receiver.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      while (!output.includes('listening')) await once(receiver.stdout, 'data');
      await createTask(t.http, crew.tenant.id, project.id, crew.member);
      await t.http
        .post(`/api/v1/tenants/${crew.tenant.id}/webhooks/${webhook.id}/ping`)
        .set(crew.owner.auth)
        .expect(202);
      while (output.trim().split('\n').length < 3) await once(receiver.stdout, 'data');
      expect(output.trim().split('\n').slice(1).sort()).toEqual([
        expect.stringMatching(/^task\.created [0-9a-f-]{36}$/),
        expect.stringMatching(/^webhook\.ping [0-9a-f-]{36}$/),
      ]);
    } finally {
      receiver.kill();
    }
  });
});
