// The typed client, end to end, against a running API (`npm start` serves one):
//
//   npm run client:example -- http://127.0.0.1:3000
//
// (or `node client/example.ts [URL]` on Node 24, which runs this TypeScript file as it is;
// the URL may also come from YELLO_URL; default http://127.0.0.1:3000.) Registers a new
// user, signs in, creates a tenant, a project and a task, moves the task along, and lists
// the tenant's open tasks. `test/client/example.spec.ts` runs it against the app in every
// `npm test`. In another package, import from '@yello/client' instead of './src/index.ts'.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createYelloClient, type Problem, type Schema } from './src/index.ts';

/** The data of a 2xx answer; any other answer throws with the problem document the API sent. */
function ok<T>({ data, error, response }: { data?: T; error?: Problem; response: Response }): T {
  if (data === undefined) {
    throw new Error(`${response.url} answered ${response.status}: ${error ? `${error.title}: ${error.detail}` : ''}`);
  }
  return data;
}

export async function example(baseUrl: string, log: (line: string) => void): Promise<Schema<'Task'>[]> {
  const yello = createYelloClient(baseUrl);

  // A new account each run, so the example can run again against the same server.
  const email = `ada-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'correct horse battery staple';
  ok(await yello.POST('/api/v1/auth/register', { body: { email, password, name: 'Ada Lovelace' } }));
  log(`registered ${email}`);

  // Register answers with tokens too; signing in is what a returning user does.
  const session = ok(await yello.POST('/api/v1/auth/login', { body: { email, password } }));
  yello.setToken(session.accessToken); // sent as `Authorization: Bearer …` from now on
  log(`signed in as ${session.user.name}`);

  const tenant = ok(await yello.POST('/api/v1/tenants', { body: { name: 'Acme' } }));
  const tenantId = tenant.id;
  log(`tenant ${tenant.name} (${tenantId}), role ${tenant.role}`);

  const project = ok(
    await yello.POST('/api/v1/tenants/{tenantId}/projects', {
      params: { path: { tenantId } },
      body: { name: 'Website relaunch', key: 'WEB' },
    }),
  );
  log(`project ${project.key}: ${project.name}`);

  const created = await yello.POST('/api/v1/tenants/{tenantId}/projects/{projectId}/tasks', {
    params: { path: { tenantId, projectId: project.id } },
    body: { title: 'Draft the launch announcement', priority: 'high', dueDate: '2026-12-24' },
  });
  const task = ok(created);
  const etag = created.response.headers.get('ETag');
  log(`task ${task.key} created: ${task.status}`);

  // A task is addressed by id or key. `If-Match` with the ETag last read: if someone changed
  // the task meanwhile, the API answers 412 and changes nothing.
  const moved = ok(
    await yello.PATCH('/api/v1/tenants/{tenantId}/tasks/{taskRef}', {
      params: { path: { tenantId, taskRef: task.key }, header: etag ? { 'If-Match': etag } : {} },
      body: { status: 'in_progress' },
    }),
  );
  log(`task ${moved.key} now ${moved.status}`);

  const page = ok(
    await yello.GET('/api/v1/tenants/{tenantId}/tasks', {
      params: { path: { tenantId }, query: { status: ['todo', 'in_progress'], sort: '-priority', limit: 20 } },
    }),
  );
  log(`open tasks: ${page.data.map((open) => `${open.key} ${open.status} "${open.title}"`).join(', ')}`);
  return page.data;
}

// `node client/example.ts [base URL]`
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const baseUrl = process.argv[2] ?? process.env.YELLO_URL ?? 'http://127.0.0.1:3000';
  try {
    await example(baseUrl, (line) => console.log(line));
  } catch (error: unknown) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
