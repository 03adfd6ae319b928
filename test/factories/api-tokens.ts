import type TestAgent from 'supertest/lib/agent.js';
import { bearer, type AuthHeader, type RegisteredUser } from './users.js';

export type Scope = 'read' | 'write' | 'admin';

export interface CreatedApiToken {
  id: string;
  name: string;
  scopes: Scope[];
  prefix: string;
  expiresAt: string;
  userId: string;
  token: string;
  /** `Authorization` header for this token. */
  auth: AuthHeader;
}

/** An API token of `user` in `tenantId` (scopes `write` unless given). */
export async function createApiToken(
  http: TestAgent,
  tenantId: string,
  user: RegisteredUser,
  body: Partial<{ name: string; scopes: Scope[]; expiresAt: string }> = {},
): Promise<CreatedApiToken> {
  const response = await http
    .post(`/api/v1/tenants/${tenantId}/api-tokens`)
    .set(user.auth)
    .send({ name: 'CI bot', scopes: ['write'], ...body })
    .expect(201);
  return { ...response.body, auth: bearer(response.body.token) };
}
