import type TestAgent from 'supertest/lib/agent.js';
import type { RegisteredUser } from './users.js';

export interface CreatedWebhook {
  id: string;
  url: string;
  events: string[];
  projectId: string | null;
  active: boolean;
  disabledReason: string | null;
  secret: string;
}

export async function createWebhook(
  http: TestAgent,
  tenantId: string,
  user: RegisteredUser,
  body: Partial<{ url: string; events: string[]; projectId: string; description: string }> = {},
): Promise<CreatedWebhook> {
  const response = await http
    .post(`/api/v1/tenants/${tenantId}/webhooks`)
    .set(user.auth)
    .send({ url: 'http://127.0.0.1:9/hooks', events: ['task.*'], ...body })
    .expect(201);
  return response.body;
}
