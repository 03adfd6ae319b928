import type { Page } from 'playwright-core';
import { z } from 'zod';
import { bearer, uniqueEmail } from '../factories/users.js';
import {
  findChromium,
  HOW_TO_ENABLE_BROWSER_TESTS,
  launchChromium,
  NON_LOOPBACK_HOST,
  type Browser,
} from '../support/chromium.js';
import { SwaggerUi } from '../support/swagger-ui.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const executablePath = findChromium();
// CI installs Chromium (.ci/run): there, a missing browser is a failure. Elsewhere the test
// is skipped, saying so, so that `npm test` passes on a machine without a browser.
const browserRequired = process.env.CI === 'true';
if (!executablePath && !browserRequired) {
  console.warn(`Skipping the Swagger UI browser test: no Chromium found. ${HOW_TO_ENABLE_BROWSER_TESTS}`);
}
const describeInBrowser = executablePath || browserRequired ? describe : describe.skip;

const withId = z.object({ id: z.string() });

describeInBrowser('Swagger UI in a real browser', () => {
  let testApp: TestApp | undefined;
  let browser: Browser | undefined;
  let origin = '';
  let page: Page;

  beforeAll(async () => {
    if (!executablePath) throw new Error(`CI=true, but no Chromium was found. ${HOW_TO_ENABLE_BROWSER_TESTS}`);
    // The browser starts while the app does: each takes seconds on a busy machine. Both are
    // kept before a failure is reported, for afterAll to close what did start.
    // The app builds its OpenAPI document on the first request for it: asked here, it is built
    // while the browser starts.
    const appWithDocument = createTestApp().then(async (started) => {
      // A failure here is the test's to report, with the app kept for afterAll to close.
      await fetch(`${started.baseUrl}/docs-json`)
        .then((response) => response.arrayBuffer())
        .catch(() => undefined);
      return started;
    });
    const [launched, started] = await Promise.allSettled([launchChromium(executablePath), appWithDocument]);
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'fulfilled') testApp = started.value;
    if (launched.status === 'rejected') throw launched.reason;
    if (started.status === 'rejected') throw started.reason;
    origin = started.value.baseUrl;
  }, 180_000);
  // The browser first: its keep-alive connections would hold the server's close.
  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
  }, 120_000);

  beforeEach(async () => {
    if (!browser) throw new Error('Chromium did not start');
    page = await browser.context.newPage();
    // Generous: a loaded 2-core machine can take seconds per step.
    page.setDefaultTimeout(60_000);
    page.setDefaultNavigationTimeout(90_000);
  });
  const app = (): TestApp => {
    if (!testApp) throw new Error('The app did not start');
    return testApp;
  };
  afterEach(async () => {
    if (browser) await page.close(); // else beforeEach threw before opening it
  });

  it('takes a newcomer, by a host name other than the loopback, from registration to a task read with an API token', async () => {
    // Opened as from another machine: by a name (resolved to 127.0.0.1 by Chromium alone) and
    // over plain http, where helmet's defaults would upgrade the assets to https.
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(`${request.url()}: ${request.failure()?.errorText ?? ''}`));
    const url = new URL('/docs', origin);
    url.hostname = NON_LOOPBACK_HOST;
    const ui = new SwaggerUi(page);
    await ui.open(url.toString()).catch((error: unknown) => {
      const requests = failed.join(', ') || 'none';
      throw new Error(`Swagger UI did not render from ${url.toString()}; failed requests: ${requests}`, {
        cause: error,
      });
    });
    await expectVisible(page, '.swagger-ui .info .title', 'Yello API');
    const email = uniqueEmail('swagger');
    const password = 'correct horse battery staple';

    // No User-Agent to type in: the browser sends its own.
    const registered = await ui.execute('post', '/api/v1/auth/register', {
      body: { email, name: 'Ada Newcomer', password },
    });
    expect(registered).toMatchObject({ status: 201, body: { user: { email, name: 'Ada Newcomer' } } });

    const login = await ui.execute('post', '/api/v1/auth/login', { body: { email, password } });
    expect(login).toMatchObject({ status: 200, body: { tokenType: 'Bearer', user: { email } } });
    const { accessToken } = z.object({ accessToken: z.string() }).parse(login.body);
    await ui.authorize(accessToken);

    // The tenant and its project through the API: each step in the browser costs seconds on a
    // busy machine, and the task below is a body under path parameters with the bearer token.
    const tenant = await app()
      .http.post('/api/v1/tenants')
      .set(bearer(accessToken))
      .send({ name: 'Acme Robotics' })
      .expect(201);
    const tenantId = withId.parse(tenant.body).id;
    const project = await app()
      .http.post(`/api/v1/tenants/${tenantId}/projects`)
      .set(bearer(accessToken))
      .send({ name: 'Website', key: 'WEB' })
      .expect(201);
    const projectId = withId.parse(project.body).id;

    const task = await ui.execute('post', '/api/v1/tenants/{tenantId}/projects/{projectId}/tasks', {
      parameters: { tenantId, projectId },
      body: { title: 'Launch the new site' },
    });
    expect(task).toMatchObject({
      status: 201,
      body: { key: 'WEB-1', title: 'Launch the new site', projectId, status: 'todo' },
    });

    // A script's API token, made through the API and tried out in the dialog alone: with the
    // person logged out, the read can only succeed on the token.
    const apiToken = await app()
      .http.post(`/api/v1/tenants/${tenantId}/api-tokens`)
      .set(bearer(accessToken))
      .send({ name: 'Board bot', scopes: ['read'] })
      .expect(201);
    await ui.logout('bearer');
    await ui.authorize(z.object({ token: z.string() }).parse(apiToken.body).token, 'apiToken');
    const read = await ui.execute('get', '/api/v1/tenants/{tenantId}/tasks/{taskRef}', {
      parameters: { tenantId, taskRef: 'WEB-1' },
    });
    expect(read).toMatchObject({ status: 200, body: { key: 'WEB-1', title: 'Launch the new site' } });

    // Assets, the document and every call came over plain http from that name.
    expect(failed).toEqual([]);
    expect(new URL(page.url()).protocol).toBe('http:');
  }, 300_000);
});

async function expectVisible(page: Page, selector: string, text: string): Promise<void> {
  const element = page.locator(selector).first();
  await element.waitFor({ state: 'visible' });
  expect(await element.innerText()).toContain(text);
}
