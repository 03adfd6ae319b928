import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { JobQueue } from '../../common/jobs/job-queue.repository.js';
import { Transactions } from '../../database/transactions.js';
import { User } from '../users/entities/user.entity.js';
import { EmailTaken } from '../users/users.errors.js';
import { UsersService } from '../users/users.service.js';
import {
  EMAIL_CHANGE_MAIL,
  EMAIL_CHANGED_MAIL,
  PASSWORD_CHANGED_MAIL,
  PASSWORD_RESET_MAIL,
  VERIFICATION_MAIL,
} from './account-mails.js';
import { EmailUnchanged, InvalidMailToken, WrongCurrentPassword } from './auth.errors.js';
import { AccountToken } from './entities/account-token.entity.js';
import { Session } from './entities/session.entity.js';
import { PasswordHasher } from './password-hasher.js';
import { PasswordPolicy } from './password-policy.js';

/**
 * Password reset, email verification and email change: the requests. Each mail is sent by
 * a job queued in the request's transaction (see `AccountMails`); links come back here.
 */
@Injectable()
export class AccountRecoveryService {
  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly jobs: JobQueue,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
  ) {}

  /**
   * Queues a reset mail for `email`, whether or not an account uses it: the lookup happens
   * in the job, so the answer and its time are the same either way. Requests for one address
   * that are still waiting collapse into one job.
   */
  async forgotPassword(email: string): Promise<void> {
    await this.transactions.run((em) =>
      this.jobs.add(em, PASSWORD_RESET_MAIL, { email }, { key: `password-reset:${email}` }),
    );
  }

  /**
   * Spends a reset token: sets the password and ends every session (and so every refresh
   * token) of the account in one transaction, then a "password changed" mail follows.
   */
  async resetPassword(token: string, newPassword: string): Promise<void> {
    const tokens = this.em.getRepository(AccountToken);
    const holder = await tokens.peek(token, ['password-reset']);
    if (!holder) throw new InvalidMailToken();
    await this.policy.assertAcceptable(newPassword, holder.email, 'newPassword');
    // Hashed before the transaction: no connection waits on bcrypt.
    const passwordHash = await this.hasher.hash(newPassword);
    await this.transactions.run(async (em) => {
      const spent = await em.getRepository(AccountToken).spend(token, ['password-reset']);
      if (!spent) throw new InvalidMailToken();
      const now = new Date();
      await em.nativeUpdate(User, { id: spent.userId }, { passwordHash });
      await em.nativeUpdate(Session, { user: spent.userId, revokedAt: null }, { revokedAt: now });
      await this.jobs.add(em, PASSWORD_CHANGED_MAIL, { userId: spent.userId });
    });
  }

  /**
   * Spends a verification or email-change token. Verification marks the address proved (if
   * it is still the account's); a change moves the account to the new address, proved by
   * this very link, voids every other mailed token and tells the old address.
   */
  async verifyEmail(token: string): Promise<void> {
    await this.transactions.run(async (em) => {
      const tokens = em.getRepository(AccountToken);
      const spent = await tokens.spend(token, ['email-verification', 'email-change']);
      const user = spent && (await em.findOne(User, { id: spent.userId }));
      if (!spent || !user) throw new InvalidMailToken();
      const now = new Date();
      if (spent.purpose === 'email-verification') {
        // The account moved to another address since this link was mailed.
        if (user.email !== spent.email) throw new InvalidMailToken();
        user.emailVerifiedAt ??= now;
        await em.flush();
        return;
      }
      const oldEmail = user.email;
      user.email = spent.email;
      user.emailVerifiedAt = now;
      try {
        await em.flush();
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) throw new EmailTaken('newEmail');
        throw error;
      }
      await tokens.revokeAll(user.id);
      await this.jobs.add(em, EMAIL_CHANGED_MAIL, { userId: user.id, oldEmail, newEmail: spent.email });
    });
  }

  /** Mails the caller a new verification link (none if the address is proved already). */
  async resendVerification(caller: AuthenticatedUser): Promise<void> {
    await this.transactions.run((em) =>
      this.jobs.add(em, VERIFICATION_MAIL, { userId: caller.userId }, { key: `email-verification:${caller.userId}` }),
    );
  }

  /**
   * Mails a confirmation link to `newEmail`; the account moves when it is opened. Whether
   * another account uses that address is not told here (the job then sends nothing).
   */
  async requestEmailChange(caller: AuthenticatedUser, newEmail: string, currentPassword: string): Promise<void> {
    const user = await this.users.getWithPassword(caller.userId);
    if (!(await this.hasher.verify(currentPassword, user.passwordHash))) throw new WrongCurrentPassword();
    if (newEmail === user.email) throw new EmailUnchanged();
    await this.transactions.run((em) =>
      this.jobs.add(em, EMAIL_CHANGE_MAIL, { userId: user.id, newEmail }, { key: `email-change:${user.id}` }),
    );
  }
}
