import { randomUUID } from 'node:crypto';
import type TestAgent from 'supertest/lib/agent.js';

export interface RegisteredUser {
  id: string;
  email: string;
  name: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  /** `Authorization` header for this user's access token. */
  auth: AuthHeader;
}

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.com`;
}

// A type alias, not an interface: supertest's `set()` takes it as a header record.
export type AuthHeader = Record<'Authorization', string>;

export const bearer = (accessToken: string): AuthHeader => ({ Authorization: `Bearer ${accessToken}` });

/** Registers a fresh user through the API (unique email unless given). */
export async function registerUser(
  http: TestAgent,
  overrides: Partial<{ email: string; name: string; password: string }> = {},
): Promise<RegisteredUser> {
  const body = { email: uniqueEmail(), name: 'Test User', password: 'correct horse battery staple', ...overrides };
  const response = await http.post('/api/v1/auth/register').send(body).expect(201);
  return {
    id: response.body.user.id,
    email: response.body.user.email,
    name: body.name,
    password: body.password,
    accessToken: response.body.accessToken,
    refreshToken: response.body.refreshToken,
    auth: bearer(response.body.accessToken),
  };
}

/** Signs an existing user in again: a second session with its own tokens. */
export async function login(
  http: TestAgent,
  user: Pick<RegisteredUser, 'email' | 'password'>,
): Promise<Pick<RegisteredUser, 'accessToken' | 'refreshToken' | 'auth'>> {
  const response = await http
    .post('/api/v1/auth/login')
    .send({ email: user.email, password: user.password })
    .expect(200);
  return {
    accessToken: response.body.accessToken,
    refreshToken: response.body.refreshToken,
    auth: bearer(response.body.accessToken),
  };
}
