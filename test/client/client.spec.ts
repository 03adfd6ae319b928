import { createYelloClient, type Problem, type YelloClient } from '../../client/src/index.js';
import { uniqueEmail } from '../factories/users.js';
import { useTestApp } from '../support/test-app.js';

/** The data of a successful call; a failed one throws with the problem the API answered. */
async function ok<T>(call: Promise<{ data?: T; error?: Problem; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (data === undefined) throw new Error(`${response.url} answered ${response.status}: ${JSON.stringify(error)}`);
  return data;
}

/**
 * The typed client (`client/`) against the real app listening on a port, as a
 * TypeScript consumer would use it: every path, parameter and body below is checked by
 * the compiler against the generated types.
 */
describe('typed client', () => {
  const t = useTestApp();

  async function signUp(name: string): Promise<YelloClient> {
    const client = createYelloClient(t.baseUrl);
    const { accessToken } = await ok(
      client.POST('/api/v1/auth/register', {
        body: { email: uniqueEmail(name.toLowerCase()), name, password: 'Plum-Orbit-Cascade-92' },
      }),
    );
    client.setToken(accessToken);
    return client;
  }

  it('runs a whole flow: register, tenant, invite, accept, project, task, comment, task list', async () => {
    const owner = await signUp('Ada');
    const tenant = await ok(owner.POST('/api/v1/tenants', { body: { name: 'Acme' } }));
    const tenantId = tenant.id;
    expect(tenant.role).toBe('owner');

    // The invitee signs in with email and password; the token comes from a function.
    const email = uniqueEmail('grace');
    await ok(
      createYelloClient(t.baseUrl).POST('/api/v1/auth/register', {
        body: { email, name: 'Grace', password: 'Quartz-Meadow-Lantern-57' },
      }),
    );
    const graceSession: { token?: string } = {};
    const grace = createYelloClient(t.baseUrl, { token: () => graceSession.token });
    graceSession.token = (
      await ok(grace.POST('/api/v1/auth/login', { body: { email, password: 'Quartz-Meadow-Lantern-57' } }))
    ).accessToken;

    const invitation = await ok(
      owner.POST('/api/v1/tenants/{tenantId}/invitations', {
        params: { path: { tenantId } },
        body: { email, role: 'member' },
      }),
    );
    expect(await ok(grace.POST('/api/v1/invitations/accept', { body: { token: invitation.token } }))).toEqual({
      tenantId,
      tenantName: 'Acme',
      role: 'member',
    });
    const me = await ok(grace.GET('/api/v1/users/me'));
    expect(me.memberships).toEqual([{ tenantId, tenantName: 'Acme', role: 'member' }]);

    // A member may not create projects: the error is a typed problem.
    const refused = await grace.POST('/api/v1/tenants/{tenantId}/projects', {
      params: { path: { tenantId } },
      body: { name: 'Website relaunch', key: 'WEB' },
    });
    expect(refused.response.status).toBe(403);
    expect(refused.error?.type).toBe('urn:yello:problem:insufficient-role');

    const project = await ok(
      owner.POST('/api/v1/tenants/{tenantId}/projects', {
        params: { path: { tenantId } },
        body: { name: 'Website relaunch', key: 'WEB' },
      }),
    );
    const task = await ok(
      grace.POST('/api/v1/tenants/{tenantId}/projects/{projectId}/tasks', {
        params: { path: { tenantId, projectId: project.id } },
        body: { title: 'Draft the launch announcement', priority: 'high', dueDate: '2026-12-24' },
      }),
    );
    expect(task).toMatchObject({ key: 'WEB-1', status: 'todo', priority: 'high', reporterId: me.id });

    const comment = await ok(
      owner.POST('/api/v1/tenants/{tenantId}/tasks/{taskRef}/comments', {
        params: { path: { tenantId, taskRef: task.key } },
        body: { body: 'Looks good, **ship it**.' },
      }),
    );
    const comments = await ok(
      grace.GET('/api/v1/tenants/{tenantId}/tasks/{taskRef}/comments', {
        params: { path: { tenantId, taskRef: 'web-1' } },
      }),
    );
    expect(comments.data.map(({ id, body }) => ({ id, body }))).toEqual([{ id: comment.id, body: comment.body }]);

    const tasks = await ok(
      grace.GET('/api/v1/tenants/{tenantId}/tasks', {
        params: { path: { tenantId }, query: { status: ['todo', 'in_progress'], priority: ['high'], limit: 10 } },
      }),
    );
    expect(tasks.data.map(({ key, title }) => ({ key, title }))).toEqual([
      { key: 'WEB-1', title: 'Draft the launch announcement' },
    ]);
    expect(tasks.nextCursor).toBeNull();
  });

  it('works with an API token', async () => {
    const owner = await signUp('Linus');
    const { id: tenantId } = await ok(owner.POST('/api/v1/tenants', { body: { name: 'Bots' } }));
    const created = await ok(
      owner.POST('/api/v1/tenants/{tenantId}/api-tokens', {
        params: { path: { tenantId } },
        body: { name: 'Sync script', scopes: ['write'] },
      }),
    );
    const bot = createYelloClient(t.baseUrl, { token: created.token });
    const self = await ok(bot.GET('/api/v1/api-tokens/self'));
    expect(self).toMatchObject({ id: created.id, tenantId, scopes: ['write'] });
    const label = await ok(
      bot.POST('/api/v1/tenants/{tenantId}/labels', {
        params: { path: { tenantId } },
        body: { name: 'Synced', color: '#123456' },
      }),
    );
    expect(label.name).toBe('Synced');
  });
});
