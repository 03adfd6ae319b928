import { useTestApp } from '../support/test-app.js';
import { login, registerUser, uniqueEmail } from '../factories/users.js';

describe('emails', () => {
  const t = useTestApp();
  const password = 'correct horse battery staple';
  const register = (email: string) => t.http.post('/api/v1/auth/register').send({ email, name: 'Ada', password });

  it('are stored in one form: NFKC, trimmed, lower-cased, with a punycode domain', async () => {
    const local = uniqueEmail('ﬀ').split('@')[0] ?? '';
    const response = await register(` ${local.toUpperCase()}@Bücher.Example `).expect(201);
    expect(response.body.user.email).toBe(`${local.replace('ﬀ', 'ff')}@xn--bcher-kva.example`);
    await login(t.http, { email: `${local}@bücher.example`, password });
    await register(`${local.replace('ﬀ', 'ff')}@xn--bcher-kva.example`).expect(409);
  });

  it('keeps a look-alike domain visibly different', async () => {
    const local = uniqueEmail().split('@')[0] ?? '';
    const response = await register(`${local}@exаmple.com`).expect(201); // Cyrillic а
    expect(response.body.user.email).toMatch(/@xn--/);
  });

  it.each([
    ['a zero-width space', 'ada\u200b'],
    ['a soft hyphen', 'a\u00adda'],
    ['a right-to-left override', 'ada\u202e'],
    ['a control character', 'ada\u0007'],
    ['a variation selector', 'ada\ufe0f'],
  ])('are refused with %s, at register, login and invitation', async (_case, local) => {
    const email = `${local}-${uniqueEmail()}`;
    const registered = await register(email).expect(400);
    expect(registered.body.errors).toEqual([
      { path: 'email', message: 'must not contain invisible or control characters' },
    ]);
    await t.http.post('/api/v1/auth/login').send({ email, password }).expect(400);
    const owner = await registerUser(t.http);
    const tenant = await t.http.post('/api/v1/tenants').set(owner.auth).send({ name: 'Acme' }).expect(201);
    await t.http
      .post(`/api/v1/tenants/${tenant.body.id}/invitations`)
      .set(owner.auth)
      .send({ email, role: 'member' })
      .expect(400);
  });

  it('of existing rows are normalised by the migration, keeping the canonical one on collision', async () => {
    const orm = t.orm;
    const connection = orm.em.getConnection();
    const canonical = uniqueEmail();
    const insert = (id: string, email: string) =>
      connection.execute(
        `insert into users (id, email, name, password_hash, created_at, updated_at) values (?, ?, 'Old', 'x', now(), now())`,
        [id, email],
      );
    // Back to just before the email migration (reverting any later one too), then up again.
    await orm.migrator.down({ to: 'Migration20261125213000' });
    await insert('0190c7a4-0000-7000-8000-000000000001', ` ${canonical.toUpperCase()}`);
    await insert('0190c7a4-0000-7000-8000-000000000002', 'ＬＥＧＡＣＹ@Bücher.example');
    await insert('0190c7a4-0000-7000-8000-000000000003', canonical);
    await orm.migrator.up();
    const rows = await connection.execute<{ id: string; email: string }[]>(
      `select id, email from users where id::text like '0190c7a4-0000-7000-8000-00000000000%' order by id`,
    );
    expect(rows.map((row) => row.email)).toEqual([
      ` ${canonical.toUpperCase()}`,
      'legacy@xn--bcher-kva.example',
      canonical,
    ]);
  });
});
