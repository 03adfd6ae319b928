import { randomBytes } from 'node:crypto';

export interface BenchUser {
  id: string;
  email: string;
  password: string;
  role: 'owner' | 'admin' | 'member' | 'viewer';
  accessToken: string;
}

export interface BenchTask {
  id: string;
  key: string;
}

export interface SeededData {
  tenantId: string;
  /** Every member of the tenant, the owner first: the load is spread over their tokens. */
  members: BenchUser[];
  /** The project whose task list is read (BEN). */
  projectId: string;
  /** A task of BEN with labels: the single-task route. */
  task: BenchTask;
  /** `nextCursor` of the first page of BEN's `status=todo,in_progress&limit=20` list. */
  listCursor: string;
  /** The project that writes go to (WRT): creates, and one task per connection to PATCH. */
  writeProjectId: string;
  writeTasks: BenchTask[];
  /** A `read` API token of each member who may create one (every role but viewer). */
  apiTokens: string[];
}

const ROLES = ['member', 'viewer', 'admin'] as const;
/** The read project's tasks: statuses in turn, so half match `todo,in_progress` (three full pages). */
const READ_TASKS = 120;
const STATUSES = ['todo', 'in_progress', 'done', 'backlog'] as const;
const TITLE_WORDS = ['export', 'invoice', 'report', 'dashboard', 'login', 'payment', 'search', 'release'];
export const SEARCH_TERMS = 'export invoice';

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined;
}

export function stringField(value: unknown, ...path: string[]): string {
  const found = path.reduce(field, value);
  if (typeof found !== 'string') throw new Error(`Seeding: the API answered without ${path.join('.')}`);
  return found;
}

/** Seeds through the public API only, exactly as clients would. */
export class Api {
  private readonly base: string;

  constructor(base: string) {
    this.base = base;
  }

  async request(method: string, path: string, body: unknown, accessToken?: string): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (accessToken) headers.authorization = `Bearer ${accessToken}`;
    const response = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    }).catch((error: unknown) => {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      throw new Error(`Seeding: ${method} ${path} failed${cause}`, { cause: error });
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`Seeding: ${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    const parsed: unknown = text === '' ? null : JSON.parse(text);
    return parsed;
  }

  post(path: string, body: unknown, accessToken?: string): Promise<unknown> {
    return this.request('POST', path, body, accessToken);
  }

  get(path: string, accessToken: string): Promise<unknown> {
    return this.request('GET', path, undefined, accessToken);
  }

  async register(label: string): Promise<{ id: string; email: string; accessToken: string; password: string }> {
    const suffix = randomBytes(6).toString('hex');
    const email = `${label}-${suffix}@bench.example.com`;
    const password = `bench ${randomBytes(12).toString('base64url')}`;
    const body = await this.post('/auth/register', { email, name: `Bench ${label}`, password });
    return { id: stringField(body, 'user', 'id'), email, password, accessToken: stringField(body, 'accessToken') };
  }
}

/** Runs `work` for 0..count-1, at most `parallel` at a time, results in order. */
export async function inParallel<T>(
  count: number,
  parallel: number,
  work: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await work(index);
      }
    }),
  );
  return results;
}

/**
 * One tenant with an owner and `extraMembers` members who joined through invitations
 * (so `members?limit=20` returns a full page and a next cursor), a project of 120 tasks
 * with labels (the read routes), and a project with `writeTasks` tasks (the write routes).
 */
export async function seed(appBase: string, extraMembers: number, writeTasks: number): Promise<SeededData> {
  const api = new Api(appBase);
  const registered = await api.register('owner');
  const owner: BenchUser = { ...registered, role: 'owner' };
  const tenant = await api.post('/tenants', { name: 'Bench tenant' }, owner.accessToken);
  const tenantId = stringField(tenant, 'id');
  // A few at a time: registration hashes a password (bcrypt, cost 12), and the app answers
  // 503 beyond its password-hashing slots and queue.
  const members = await inParallel(extraMembers, 4, async (index): Promise<BenchUser> => {
    const user = await api.register(`member${index + 1}`);
    const role = ROLES[index % ROLES.length] ?? 'member';
    const invitation = await api.post(
      `/tenants/${tenantId}/invitations`,
      { email: user.email, role },
      owner.accessToken,
    );
    await api.post('/invitations/accept', { token: stringField(invitation, 'token') }, user.accessToken);
    return { id: user.id, email: user.email, password: user.password, role, accessToken: user.accessToken };
  });

  const t = `/tenants/${tenantId}`;
  const tokenCreators = [owner, ...members.filter((member) => member.role !== 'viewer')];
  const apiTokens = await inParallel(tokenCreators.length, 4, async (index) => {
    const creator = tokenCreators[index] ?? owner;
    const created = await api.post(`${t}/api-tokens`, { name: 'Bench script', scopes: ['read'] }, creator.accessToken);
    return stringField(created, 'token');
  });
  const projectId = stringField(
    await api.post(`${t}/projects`, { name: 'Bench', key: 'BEN' }, owner.accessToken),
    'id',
  );
  const writeProjectId = stringField(
    await api.post(`${t}/projects`, { name: 'Bench writes', key: 'WRT' }, owner.accessToken),
    'id',
  );
  const labelIds = await inParallel(4, 4, async (index) =>
    stringField(
      await api.post(
        `${t}/labels`,
        { name: `label ${index + 1}`, color: `#${'0369'.charAt(index)}0a0b0` },
        owner.accessToken,
      ),
      'id',
    ),
  );
  const created = await inParallel(READ_TASKS, 4, async (index) => {
    // Every third task matches both search terms: 40 matches, two full pages.
    const words =
      index % 3 === 0
        ? [...SEARCH_TERMS.split(' '), TITLE_WORDS[index % TITLE_WORDS.length]]
        : [TITLE_WORDS[2 + (index % 6)], TITLE_WORDS[2 + ((index + 3) % 6)]];
    const body = await api.post(
      `${t}/projects/${projectId}/tasks`,
      {
        title: `${words.join(' ')} task ${index + 1}`,
        description: index % 3 === 0 ? null : `Bench task ${index + 1}: ${words.reverse().join(', ')}.`,
        status: STATUSES[index % STATUSES.length],
        priority: ['none', 'low', 'medium', 'high', 'urgent'][index % 5],
        assigneeId: index % 4 === 0 ? null : owner.id,
        dueDate: index % 3 === 0 ? null : `2027-0${1 + (index % 9)}-1${index % 10}`,
        labelIds: labelIds.slice(0, index % 4),
      },
      owner.accessToken,
    );
    return { id: stringField(body, 'id'), key: stringField(body, 'key') };
  });
  const task = created[READ_TASKS - 1 - 3 * 4]; // one with three labels, among the newest
  if (!task) throw new Error('Seeding created no tasks');
  const firstPage = await api.get(
    `${t}/projects/${projectId}/tasks?status=todo,in_progress&limit=20`,
    owner.accessToken,
  );
  const listCursor = stringField(firstPage, 'nextCursor');
  const writes = await inParallel(writeTasks, 4, async () => {
    const body = await api.post(
      `${t}/projects/${writeProjectId}/tasks`,
      { title: 'Write target', status: 'todo' },
      owner.accessToken,
    );
    return { id: stringField(body, 'id'), key: stringField(body, 'key') };
  });
  return {
    tenantId,
    members: [owner, ...members],
    projectId,
    task,
    listCursor,
    writeProjectId,
    writeTasks: writes,
    apiTokens,
  };
}
