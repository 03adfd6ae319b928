import { bearer, login, registerUser, uniqueEmail } from '../../factories/users.js';
import { startTestSmtpServer } from '../../support/smtp-server.js';
import { useTestApp } from '../../support/test-app.js';

const smtp = await startTestSmtpServer();
afterAll(() => smtp.close());

describe('password reset, email verification and change, over SMTP', () => {
  const t = useTestApp({ SMTP_URL: smtp.url, JOB_CONCURRENCY: '1', REQUIRE_VERIFIED_EMAIL: 'true' });
  const forgot = (email: string) => t.http.post('/api/v1/auth/password/forgot').send({ email });
  const reset = (token: string, newPassword = 'a brand new passphrase') =>
    t.http.post('/api/v1/auth/password/reset').send({ token, newPassword });
  const verify = (token: string) => t.http.post('/api/v1/auth/email/verify').send({ token });
  const withoutRequestId = ({ requestId: _, ...problem }: Record<string, unknown>) => problem;

  it('resets the password by a link that works once, revoking every session', async () => {
    const user = await registerUser(t.http);
    const other = await login(t.http, user);
    const accepted = await forgot(user.email).expect(202);
    const mail = await smtp.waitFor(user.email, 'reset your password');
    expect(mail.link).toMatch(/^http:\/\/localhost:3000\/reset-password\?token=[\w-]{43}$/);
    expect(mail.html).toContain(mail.link);

    await reset(mail.token).expect(204);
    await t.http.get('/api/v1/users/me').set(user.auth).expect(401);
    await t.http.get('/api/v1/users/me').set(other.auth).expect(401);
    await t.http.post('/api/v1/auth/refresh').send({ refreshToken: other.refreshToken }).expect(401);
    await login(t.http, { email: user.email, password: 'a brand new passphrase' });
    const reused = await reset(mail.token).expect(400);
    expect(reused.body.type).toBe('urn:yello:problem:invalid-mail-token');
    await smtp.waitFor(user.email, 'your password was changed');

    // An unknown address: the same answer, and no mail (jobs run in order: the next mail comes after).
    const unknown = uniqueEmail('nobody');
    expect((await forgot(unknown).expect(202)).body).toEqual(accepted.body);
    const known = await registerUser(t.http);
    await forgot(known.email).expect(202);
    await smtp.waitFor(known.email, 'reset your password');
    expect(smtp.received.filter((m) => m.to.includes(unknown))).toEqual([]);
  });

  it('answers a tampered, expired or reset-voided token with the same 400', async () => {
    const user = await registerUser(t.http);
    await forgot(user.email).expect(202);
    const first = await smtp.waitFor(user.email, 'reset your password');
    const tampered = `${first.token.slice(0, -1)}${first.token.endsWith('A') ? 'B' : 'A'}`;
    const bad = withoutRequestId((await reset(tampered).expect(400)).body);

    smtp.received.length = 0;
    await forgot(user.email).expect(202); // a newer link voids the older one
    const second = await smtp.waitFor(user.email, 'reset your password');
    expect(withoutRequestId((await reset(first.token).expect(400)).body)).toEqual(bad);

    await t.orm.em.fork().getConnection().execute(`update account_tokens set expires_at = now()`);
    expect(withoutRequestId((await reset(second.token).expect(400)).body)).toEqual(bad);
    expect(withoutRequestId((await verify(second.token).expect(400)).body)).toEqual(bad);
  });

  it('verifies the address from the registration mail; accepting invitations needs it', async () => {
    const owner = await registerUser(t.http);
    const tenant = await t.http.post('/api/v1/tenants').set(owner.auth).send({ name: 'Mailers' }).expect(201);
    const invitee = await registerUser(t.http);
    const invitation = await t.http
      .post(`/api/v1/tenants/${tenant.body.id}/invitations`)
      .set(owner.auth)
      .send({ email: invitee.email, role: 'member' })
      .expect(201);
    const invitationMail = await smtp.waitFor(invitee.email, 'join Mailers');
    expect(invitationMail.token).toBe(invitation.body.token);
    const accept = () =>
      t.http.post('/api/v1/invitations/accept').set(invitee.auth).send({ token: invitation.body.token });
    expect((await accept().expect(403)).body.type).toBe('urn:yello:problem:email-not-verified');

    const mail = await smtp.waitFor(invitee.email, 'confirm your email address');
    expect(mail.link).toContain('http://localhost:3000/verify-email?token=');
    await verify(mail.token).expect(204);
    await verify(mail.token).expect(400);
    const me = await t.http.get('/api/v1/users/me').set(invitee.auth).expect(200);
    expect(Date.parse(me.body.emailVerifiedAt)).not.toBeNaN();
    await accept().expect(201);
  });

  it('changes the address once the new one confirms, and tells the old one', async () => {
    const user = await registerUser(t.http);
    const newEmail = uniqueEmail('moved');
    const change = (body: object) => t.http.post('/api/v1/users/me/email').set(user.auth).send(body);
    await change({ newEmail, currentPassword: 'wrong password' }).expect(400);
    await change({ newEmail, currentPassword: user.password }).expect(202);
    const mail = await smtp.waitFor(newEmail, 'confirm your new email address');
    expect((await t.http.get('/api/v1/users/me').set(user.auth)).body.email).toBe(user.email);

    await verify(mail.token).expect(204);
    const me = await t.http.get('/api/v1/users/me').set(user.auth).expect(200);
    expect(me.body).toMatchObject({ email: newEmail, emailVerifiedAt: expect.any(String) });
    await smtp.waitFor(user.email, 'your email address was changed');
    await t.http.post('/api/v1/auth/login').send({ email: newEmail, password: user.password }).expect(200);
  });

  it('resends the verification mail on request', async () => {
    const user = await registerUser(t.http);
    await smtp.waitFor(user.email, 'confirm your email address');
    smtp.received.length = 0;
    await t.http.post('/api/v1/users/me/email/verification').set(bearer(user.accessToken)).expect(202);
    await smtp.waitFor(user.email, 'confirm your email address');
  });

  it('loses no mail when the SMTP server refuses it: the job is retried', async () => {
    const user = await registerUser(t.http);
    await smtp.waitFor(user.email, 'confirm your email address');
    smtp.refuseNext(1);
    await forgot(user.email).expect(202);
    const mail = await smtp.waitFor(user.email, 'reset your password', 15_000);
    await reset(mail.token).expect(204);
  }, 30_000);
});
