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

export interface CreatedTask {
  id: string;
  key: string;
  projectId: string;
  title: string;
  status: string;
  priority: string;
  assigneeId: string | null;
  reporterId: string | null;
  dueDate: string | null;
  labelIds: string[];
  parentId: string | null;
  position: string;
  completedAt: string | null;
  version: number;
}

export async function createTask(
  http: TestAgent,
  tenantId: string,
  projectId: string,
  user: RegisteredUser,
  body: Record<string, unknown> = {},
): Promise<CreatedTask> {
  const response = await http
    .post(`/api/v1/tenants/${tenantId}/projects/${projectId}/tasks`)
    .set(user.auth)
    .send({ title: 'A task', ...body })
    .expect(201);
  return response.body;
}

export async function createLabel(
  http: TestAgent,
  tenantId: string,
  user: RegisteredUser,
  body: Partial<{ name: string; color: string }> = {},
): Promise<{ id: string; name: string; color: string }> {
  const response = await http
    .post(`/api/v1/tenants/${tenantId}/labels`)
    .set(user.auth)
    .send({ name: `Label ${randomUUID().slice(0, 8)}`, color: '#336699', ...body })
    .expect(201);
  return response.body;
}
