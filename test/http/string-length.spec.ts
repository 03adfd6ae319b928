import { createTenant } from '../factories/tenants.js';
import { registerUser, uniqueEmail, type RegisteredUser } from '../factories/users.js';
import { useTestApp } from '../support/test-app.js';

/** Units whose length class-validator's `@Length` counts unlike PostgreSQL, or in UTF-16 units. */
const UNITS = { 'combining marks': 'e\u0301', 'variation selectors': 'a\uFE0F', 'astral characters': '😀' };

/** `unit` repeated, padded with `x` to exactly `codePoints` code points, as PostgreSQL counts them. */
function text(unit: string, codePoints: number): string {
  const units = unit.repeat(Math.floor(codePoints / Array.from(unit).length));
  return units.padEnd(units.length + codePoints - Array.from(units).length, 'x');
}

/**
 * Every free-text field agrees with its column: as many code points as the column holds
 * are stored, one more is a 400, whatever the characters.
 */
describe('string lengths', () => {
  const t = useTestApp();
  let user: RegisteredUser;
  let tenantId: string;
  beforeAll(async () => {
    user = await registerUser(t.http);
    tenantId = (await createTenant(t.http, user)).id;
  });

  const FIELDS: [field: string, max: number, send: (value: string) => Promise<{ status: number }>][] = [
    [
      'register name',
      100,
      (name) =>
        t.http
          .post('/api/v1/auth/register')
          .send({ email: uniqueEmail(), name, password: 'correct horse battery staple' }),
    ],
    ['profile name', 100, (name) => t.http.patch('/api/v1/users/me').set(user.auth).send({ name })],
    ['new tenant name', 100, (name) => t.http.post('/api/v1/tenants').set(user.auth).send({ name })],
    ['tenant name', 100, (name) => t.http.patch(`/api/v1/tenants/${tenantId}`).set(user.auth).send({ name })],
  ];

  describe.each(Object.entries(UNITS))('with %s', (_kind, unit) => {
    it.each(FIELDS)('%s: takes %i code points, refuses one more', async (_field, max, send) => {
      expect((await send(text(unit, max))).status).toBeLessThan(300);
      expect((await send(text(unit, max + 1))).status).toBe(400);
    });
  });

  const EMAIL_FIELDS: [field: string, send: (email: string) => Promise<{ status: number }>][] = [
    [
      'register email',
      (email) =>
        t.http.post('/api/v1/auth/register').send({ email, name: 'A', password: 'correct horse battery staple' }),
    ],
    [
      'invitation email',
      (email) => t.http.post(`/api/v1/tenants/${tenantId}/invitations`).set(user.auth).send({ email, role: 'member' }),
    ],
  ];

  it.each(EMAIL_FIELDS)(
    '%s: takes 254 code points, refuses more, however @Length would count them',
    async (_field, send) => {
      // Domain labels hold 63 characters at most: the third one takes up the length.
      const email = (codePoints: number, unit = 'a') =>
        `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${text(unit, codePoints - 197)}.com`;
      expect((await send(email(254))).status).toBe(201);
      expect((await send(email(255))).status).toBe(400);
      expect((await send(email(257, 'a\uFE0F'))).status).toBe(400); // 227 by class-validator's count
    },
  );
});
