import { randomUUID } from 'node:crypto';
import type TestAgent from 'supertest/lib/agent.js';
import type { RegisteredUser } from './users.js';

export interface CreatedProject {
  id: string;
  key: string;
  name: string;
  version: number;
}

/** A unique project key (`P` and 9 random characters). */
export const uniqueProjectKey = (): string => `P${randomUUID().replaceAll('-', '').slice(0, 9).toUpperCase()}`;

export async function createProject(
  http: TestAgent,
  tenantId: string,
  user: RegisteredUser,
  body: Partial<{ name: string; key: string; description: string | null }> = {},
): Promise<CreatedProject> {
  const response = await http
    .post(`/api/v1/tenants/${tenantId}/projects`)
    .set(user.auth)
    .send({ name: 'Project', key: uniqueProjectKey(), ...body })
    .expect(201);
  return response.body;
}
