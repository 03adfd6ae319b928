import type TestAgent from 'supertest/lib/agent.js';
import { registerUser, uniqueEmail, type RegisteredUser } from './users.js';

export type Role = 'owner' | 'admin' | 'member' | 'viewer';

export interface CreatedTenant {
  id: string;
  name: string;
  slug: string;
}

export async function createTenant(
  http: TestAgent,
  owner: RegisteredUser,
  body: Partial<{ name: string; slug: string }> = {},
): Promise<CreatedTenant> {
  const response = await http
    .post('/api/v1/tenants')
    .set(owner.auth)
    .send({ name: `Tenant ${uniqueEmail('t').slice(2, 10)}`, ...body })
    .expect(201);
  return response.body;
}

export async function invite(http: TestAgent, tenantId: string, inviter: RegisteredUser, email: string, role: Role) {
  const response = await http
    .post(`/api/v1/tenants/${tenantId}/invitations`)
    .set(inviter.auth)
    .send({ email, role })
    .expect(201);
  return response.body as { id: string; token: string; email: string; role: Role; expiresAt: string };
}

/** A new user who joined `tenantId` with `role` through an invitation from `inviter`. */
export async function addMember(http: TestAgent, tenantId: string, inviter: RegisteredUser, role: Role) {
  const user = await registerUser(http);
  const { token } = await invite(http, tenantId, inviter, user.email, role);
  await http.post('/api/v1/invitations/accept').set(user.auth).send({ token }).expect(201);
  return user;
}

export interface TenantCrew {
  tenant: CreatedTenant;
  owner: RegisteredUser;
  admin: RegisteredUser;
  member: RegisteredUser;
  viewer: RegisteredUser;
  /** Registered, but not a member. */
  outsider: RegisteredUser;
}

/** A tenant with one user of every role, and a user outside it. */
export async function createTenantCrew(http: TestAgent): Promise<TenantCrew> {
  const owner = await registerUser(http);
  const tenant = await createTenant(http, owner);
  const [admin, member, viewer, outsider] = await Promise.all([
    addMember(http, tenant.id, owner, 'admin'),
    addMember(http, tenant.id, owner, 'member'),
    addMember(http, tenant.id, owner, 'viewer'),
    registerUser(http),
  ]);
  return { tenant, owner, admin, member, viewer, outsider };
}
