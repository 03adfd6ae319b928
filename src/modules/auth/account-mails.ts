import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { z } from 'zod';
import { defineJob } from '../../common/jobs/job.js';
import { JobRunner } from '../../common/jobs/job-runner.js';
import { Transactions } from '../../database/transactions.js';
import { MailTemplates } from '../mail/mail-templates.js';
import { Mailer } from '../mail/mailer.js';
import { User } from '../users/entities/user.entity.js';
import { AccountToken } from './entities/account-token.entity.js';

export const RESET_TOKEN_TTL_MINUTES = 30;
export const VERIFICATION_TOKEN_TTL_HOURS = 24;
const MINUTE_MS = 60_000;

const uuid = z.uuid();

/** Looked up by address in the job, not in the request: known and unknown addresses answer alike. */
export const PASSWORD_RESET_MAIL = defineJob('mail.password-reset', z.object({ email: z.string() }));
export const VERIFICATION_MAIL = defineJob('mail.email-verification', z.object({ userId: uuid }));
export const EMAIL_CHANGE_MAIL = defineJob('mail.email-change', z.object({ userId: uuid, newEmail: z.string() }));
export const PASSWORD_CHANGED_MAIL = defineJob('mail.password-changed', z.object({ userId: uuid }));
export const EMAIL_CHANGED_MAIL = defineJob(
  'mail.email-changed',
  z.object({ userId: uuid, oldEmail: z.string(), newEmail: z.string() }),
);

/**
 * The account mails, each sent by a job. A mail with a link issues its token when it runs,
 * so no token is ever stored but hashed (not even in the queue), a retry hours later still
 * mails a fresh link, and a mail that cannot go loses nothing but time.
 */
@Injectable()
export class AccountMails implements OnModuleInit {
  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly runner: JobRunner,
    private readonly mailer: Mailer,
    private readonly templates: MailTemplates,
  ) {}

  onModuleInit(): void {
    this.runner.handle(PASSWORD_RESET_MAIL, ({ email }) => this.sendPasswordReset(email));
    this.runner.handle(VERIFICATION_MAIL, ({ userId }) => this.sendVerification(userId));
    this.runner.handle(EMAIL_CHANGE_MAIL, ({ userId, newEmail }) => this.sendEmailChange(userId, newEmail));
    this.runner.handle(PASSWORD_CHANGED_MAIL, ({ userId }) => this.sendPasswordChanged(userId));
    this.runner.handle(EMAIL_CHANGED_MAIL, ({ userId, oldEmail, newEmail }) =>
      this.sendEmailChanged(userId, oldEmail, newEmail),
    );
  }

  private async sendPasswordReset(email: string): Promise<void> {
    const user = await this.em.findOne(User, { email });
    if (!user) return; // nobody to tell, and the requester learns nothing either way
    const token = await this.transactions.run((em) =>
      em
        .getRepository(AccountToken)
        .issue(user.id, 'password-reset', user.email, RESET_TOKEN_TTL_MINUTES * MINUTE_MS, { replacing: true }),
    );
    await this.mailer.send({
      to: user.email,
      ...this.templates.passwordReset(user.name, token, RESET_TOKEN_TTL_MINUTES),
    });
  }

  private async sendVerification(userId: string): Promise<void> {
    const user = await this.em.findOne(User, { id: userId });
    if (!user || user.emailVerifiedAt) return;
    const ttlMs = VERIFICATION_TOKEN_TTL_HOURS * 60 * MINUTE_MS;
    const token = await this.transactions.run((em) =>
      em.getRepository(AccountToken).issue(user.id, 'email-verification', user.email, ttlMs, { replacing: false }),
    );
    await this.mailer.send({
      to: user.email,
      ...this.templates.emailVerification(user.name, token, VERIFICATION_TOKEN_TTL_HOURS),
    });
  }

  private async sendEmailChange(userId: string, newEmail: string): Promise<void> {
    const user = await this.em.findOne(User, { id: userId });
    // An address another account uses gets nothing: the requester cannot learn that it is taken.
    if (!user || (await this.em.count(User, { email: newEmail })) > 0) return;
    const ttlMs = VERIFICATION_TOKEN_TTL_HOURS * 60 * MINUTE_MS;
    const token = await this.transactions.run((em) =>
      em.getRepository(AccountToken).issue(user.id, 'email-change', newEmail, ttlMs, { replacing: true }),
    );
    await this.mailer.send({
      to: newEmail,
      ...this.templates.emailChange(user.name, newEmail, token, VERIFICATION_TOKEN_TTL_HOURS),
    });
  }

  private async sendPasswordChanged(userId: string): Promise<void> {
    const user = await this.em.findOne(User, { id: userId });
    if (user) await this.mailer.send({ to: user.email, ...this.templates.passwordChanged(user.name) });
  }

  private async sendEmailChanged(userId: string, oldEmail: string, newEmail: string): Promise<void> {
    const user = await this.em.findOne(User, { id: userId });
    await this.mailer.send({ to: oldEmail, ...this.templates.emailChanged(user?.name ?? oldEmail, newEmail) });
  }
}
