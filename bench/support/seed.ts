import { randomBytes } from 'node:crypto';

export interface BenchUser {
  id: string;
  email: string;
  accessToken: string;
}

export interface SeededData {
  tenantId: string;
  /** Every member of the tenant, the owner first: the load is spread over their tokens. */
  members: BenchUser[];
}

const ROLES = ['member', 'viewer', 'admin'] as const;

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined;
}

function stringField(value: unknown, ...path: string[]): string {
  const found = path.reduce(field, value);
  if (typeof found !== 'string') throw new Error(`Seeding: the API answered without ${path.join('.')}`);
  return found;
}

/** Seeds through the public API only, exactly as clients would. */
class Api {
  private readonly base: string;

  constructor(base: string) {
    this.base = base;
  }

  async post(path: string, body: unknown, accessToken?: string): Promise<unknown> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (accessToken) headers.authorization = `Bearer ${accessToken}`;
    const response = await fetch(`${this.base}/api/v1${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`Seeding: POST ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    const parsed: unknown = JSON.parse(text);
    return parsed;
  }

  async register(label: string): Promise<BenchUser> {
    const suffix = randomBytes(6).toString('hex');
    const email = `${label}-${suffix}@bench.example.com`;
    const body = await this.post('/auth/register', {
      email,
      name: `Bench ${label}`,
      password: `bench ${randomBytes(12).toString('base64url')}`,
    });
    return { id: stringField(body, 'user', 'id'), email, accessToken: stringField(body, 'accessToken') };
  }
}

/**
 * One tenant with an owner and `extraMembers` members who joined through invitations
 * (so `members?limit=20` returns a full page and a next cursor).
 */
export async function seed(appBase: string, extraMembers: number): Promise<SeededData> {
  const api = new Api(appBase);
  const owner = await api.register('owner');
  const tenant = await api.post('/tenants', { name: 'Bench tenant' }, owner.accessToken);
  const tenantId = stringField(tenant, 'id');
  // Concurrent: registration hashes a password with bcrypt (cost 12), off the event loop.
  const members = await Promise.all(
    Array.from({ length: extraMembers }, async (_, index) => {
      const user = await api.register(`member${index + 1}`);
      const role = ROLES[index % ROLES.length];
      const invitation = await api.post(
        `/tenants/${tenantId}/invitations`,
        { email: user.email, role },
        owner.accessToken,
      );
      await api.post('/invitations/accept', { token: stringField(invitation, 'token') }, user.accessToken);
      return user;
    }),
  );
  return { tenantId, members: [owner, ...members] };
}
