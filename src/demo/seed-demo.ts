// `npm run seed:demo`: a demo tenant created through the API itself (in process, with
// every rule applied), so it shows what a real team's workspace looks like.
import { EntityManager } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoNestLogger, PinoLogger } from 'nestjs-pino';
import { createApp } from '../app.factory.js';
import { resolveLocalDefaults } from '../bootstrap/local-defaults.js';
import { loggerParams } from '../common/logging/logger-options.js';
import { loadConfig } from '../config/configuration.js';
import { Tenant } from '../modules/tenants/entities/tenant.entity.js';

const DEMO_SLUG = 'yello-demo';
const PASSWORD = 'yello demo passphrase 2026';
const PEOPLE = [
  { email: 'olivia.owner@demo.yello.test', name: 'Olivia Owner', role: 'owner' },
  { email: 'adam.admin@demo.yello.test', name: 'Adam Admin', role: 'admin' },
  { email: 'ada.admin@demo.yello.test', name: 'Ada Admin', role: 'admin' },
  { email: 'mia.member@demo.yello.test', name: 'Mia Member', role: 'member' },
  { email: 'max.member@demo.yello.test', name: 'Max Member', role: 'member' },
  { email: 'mo.member@demo.yello.test', name: 'Mo Member', role: 'member' },
  { email: 'vera.viewer@demo.yello.test', name: 'Vera Viewer', role: 'viewer' },
  { email: 'vic.viewer@demo.yello.test', name: 'Vic Viewer', role: 'viewer' },
] as const;
const PROJECTS = [
  { key: 'WEB', name: 'Website relaunch', description: 'The new marketing site, from copy to launch.' },
  { key: 'APP', name: 'Mobile app', description: 'iOS and Android clients.' },
  { key: 'OPS', name: 'Operations', description: 'Infrastructure, on-call and tooling.' },
];
const LABELS = [
  { name: 'bug', color: '#d73a4a' },
  { name: 'feature', color: '#0e8a16' },
  { name: 'design', color: '#a2eeef' },
  { name: 'infra', color: '#5319e7' },
  { name: 'docs', color: '#0075ca' },
];
const VERBS = ['Draft', 'Review', 'Fix', 'Ship', 'Test', 'Design', 'Migrate', 'Document', 'Refactor', 'Measure'];
const THINGS = [
  'login page',
  'pricing table',
  'export to CSV',
  'push notifications',
  'onboarding emails',
  'search results',
  'backup job',
  'dark mode',
  'invoice PDF',
  'status page',
];
const STATUSES = ['backlog', 'todo', 'todo', 'in_progress', 'in_review', 'done', 'done', 'canceled'] as const;
const PRIORITIES = ['none', 'low', 'medium', 'medium', 'high', 'urgent'] as const;
const TASKS = 200;

type Json = Record<string, unknown>;

/** Requests through the whole HTTP stack of the in-process app (Fastify's `inject`). */
class Client {
  constructor(private readonly app: NestFastifyApplication) {}

  async call(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    token?: string,
    body?: Json,
  ): Promise<{ status: number; body: Json }> {
    const response = await this.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method,
        url: `/api/v1${path}`,
        headers: { 'user-agent': 'yello-seed-demo', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body ? { payload: body } : {}),
      });
    const parsed: unknown = response.body ? JSON.parse(response.body) : {};
    return { status: response.statusCode, body: typeof parsed === 'object' && parsed !== null ? { ...parsed } : {} };
  }

  async ok(method: 'GET' | 'POST' | 'PATCH', path: string, token?: string, body?: Json): Promise<Json> {
    const response = await this.call(method, path, token, body);
    if (response.status >= 400)
      throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  }
}

const text = (value: unknown): string => {
  if (typeof value !== 'string') throw new Error(`expected a string, got ${JSON.stringify(value)}`);
  return value;
};
const pick = <T>(values: readonly T[], index: number): T => {
  const value = values[index % values.length];
  if (value === undefined) throw new Error('empty list');
  return value;
};

async function seed(app: NestFastifyApplication, log: (message: string) => void): Promise<void> {
  // Looked up before anything else: a second run must not even sign in (each sign-in is a
  // new session), so that it changes nothing.
  if ((await app.get(EntityManager).fork().count(Tenant, { slug: DEMO_SLUG })) > 0) {
    log(`The demo tenant "${DEMO_SLUG}" exists already: nothing to do.`);
    return;
  }
  const client = new Client(app);
  // Register, or sign in when a previous run stopped before creating the tenant.
  const users = [];
  for (const person of PEOPLE) {
    const login = await client.call('POST', '/auth/login', undefined, { email: person.email, password: PASSWORD });
    const body =
      login.status === 200
        ? login.body
        : await client.ok('POST', '/auth/register', undefined, {
            email: person.email,
            name: person.name,
            password: PASSWORD,
          });
    const user = body.user;
    users.push({
      ...person,
      token: text(body.accessToken),
      id: text(typeof user === 'object' && user !== null ? Reflect.get(user, 'id') : undefined),
    });
  }
  const [owner] = users;
  if (!owner) throw new Error('no owner');

  const tenantId = text((await client.ok('POST', '/tenants', owner.token, { name: 'Yello Demo', slug: DEMO_SLUG })).id);
  const base = `/tenants/${tenantId}`;
  for (const user of users.slice(1)) {
    const invitation = await client.ok('POST', `${base}/invitations`, owner.token, {
      email: user.email,
      role: user.role,
    });
    await client.ok('POST', '/invitations/accept', user.token, { token: text(invitation.token) });
  }
  log(`Tenant and ${users.length} people ready`);

  const labelIds = [];
  for (const label of LABELS) labelIds.push(text((await client.ok('POST', `${base}/labels`, owner.token, label)).id));
  const projectIds = [];
  for (const project of PROJECTS)
    projectIds.push(text((await client.ok('POST', `${base}/projects`, owner.token, project)).id));

  // Viewers can neither write tasks nor be assigned any.
  const workers = users.filter((user) => user.role !== 'viewer');
  const created: { id: string; key: string; projectIndex: number }[] = [];
  for (let i = 0; i < TASKS; i++) {
    const projectIndex = i % projectIds.length;
    const reporter = pick(workers, i * 7);
    const parent = i % 9 === 8 ? created.filter((task) => task.projectIndex === projectIndex).at(-3) : undefined;
    const task = await client.ok('POST', `${base}/projects/${pick(projectIds, projectIndex)}/tasks`, reporter.token, {
      title: `${pick(VERBS, i)} ${pick(THINGS, i * 3 + projectIndex)}`,
      description: i % 3 === 0 ? `Why: customers asked for it.\n\n- [ ] spec\n- [ ] build\n- [ ] ship` : null,
      priority: pick(PRIORITIES, i * 5),
      assigneeId: i % 5 === 0 ? null : pick(workers, i).id,
      dueDate: i % 4 === 0 ? null : new Date(Date.UTC(2026, 11, 1 + (i % 45))).toISOString().slice(0, 10),
      labelIds: [pick(labelIds, i), ...(i % 4 === 0 ? [pick(labelIds, i + 2)] : [])],
      ...(parent ? { parentId: parent.id } : {}),
    });
    const key = text(task.key);
    created.push({ id: text(task.id), key, projectIndex });
    // History: tasks move through the workflow, and people talk about them.
    const status = pick(STATUSES, i * 3);
    if (status !== 'todo') await client.ok('PATCH', `${base}/tasks/${key}`, reporter.token, { status });
    if (i % 4 === 1) {
      await client.ok('POST', `${base}/tasks/${key}/comments`, pick(workers, i + 1).token, {
        body: `Picked this up — **${pick(THINGS, i)}** first.`,
      });
    }
    if ((i + 1) % 25 === 0) log(`${i + 1}/${TASKS} tasks`);
  }
}

async function main(): Promise<void> {
  // A command's own output, not a log: printed whatever LOG_LEVEL the app runs with.
  const log = (message: string) => console.log(message);
  // The demo's own requests are many and from one address: the limits for clients do not
  // apply. Every sign-in limit is raised together, keeping the rule that the per-email one
  // stays above the per-(email, client) one.
  const loaded = loadConfig({
    ...process.env,
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_LOGIN_IP_PER_MINUTE: '100000',
    RATE_LIMIT_LOGIN_EMAIL_PER_MINUTE: '100001',
    RATE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  // As in server.ts: the embedded PostgreSQL's start logs through the app's logger, at its
  // level (else Nest's default logger printed PostgreSQL's every debug line).
  const params = loggerParams(loaded);
  Logger.overrideLogger(new PinoNestLogger(new PinoLogger(params), params));
  const runtime = await resolveLocalDefaults(loaded, new Logger('EmbeddedPostgres'));
  const app = await createApp(runtime.config, runtime.database);
  try {
    await seed(app, log);
    log(`Demo tenant "${DEMO_SLUG}". Sign in with any of these (password "${PASSWORD}"):`);
    for (const person of PEOPLE) log(`  ${person.role.padEnd(6)} ${person.email}`);
  } finally {
    await app.close();
    await runtime.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
