import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { FailureLimiter } from '../../common/rate-limit/failure-limiter.js';
import { AuthLimits } from './auth-limits.js';
import { InvalidCredentials, InvalidRefreshToken, WrongCurrentPassword } from './auth.errors.js';
import { PasswordHasher } from './password-hasher.js';
import { PasswordPolicy } from './password-policy.js';
import { SessionsService, type TokenPair } from './sessions.service.js';
import { Transactions } from '../../database/transactions.js';
import { JobQueue } from '../../common/jobs/job-queue.repository.js';
import { VERIFICATION_MAIL } from './account-mails.js';

export interface Registration {
  email: string;
  name: string;
  password: string;
}

export interface SignedIn {
  user: User;
  tokens: TokenPair;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly limiter: FailureLimiter,
    private readonly limits: AuthLimits,
    private readonly jobs: JobQueue,
  ) {}

  async register(registration: Registration, userAgent: string | undefined): Promise<SignedIn> {
    await this.policy.assertAcceptable(registration.password, registration.email);
    const passwordHash = await this.hasher.hash(registration.password);
    return this.transactions.run(async (em) => {
      const user = await this.users.create({ email: registration.email, name: registration.name, passwordHash });
      await this.jobs.add(em, VERIFICATION_MAIL, { userId: user.id });
      return { user, tokens: await this.sessions.start(user, userAgent) };
    });
  }

  /**
   * Checks an email/password pair. Unknown email and wrong password fail alike, in
   * comparable time (a dummy hash is verified when there is no user).
   */
  async verifyCredentials(email: string, password: string): Promise<User> {
    const user = await this.users.findWithPasswordByEmail(email);
    const valid = user
      ? await this.hasher.verify(password, user.passwordHash)
      : await this.hasher.verifyNothing(password);
    if (!user || !valid) throw new InvalidCredentials();
    return user;
  }

  async login(user: User, userAgent: string | undefined): Promise<SignedIn> {
    return { user, tokens: await this.sessions.start(user, userAgent) };
  }

  /**
   * Refresh limits key on what the server verified: the session a valid token proves,
   * else the client (a token that does not verify counts against its IP).
   */
  async refresh(refreshToken: string, client: string): Promise<TokenPair> {
    const failures = this.limits.invalidTokens(client);
    await this.limiter.assertUnder(failures);
    try {
      return await this.sessions.rotate(refreshToken, (sessionId) => this.limiter.take(this.limits.refresh(sessionId)));
    } catch (error) {
      if (error instanceof InvalidRefreshToken) await this.limiter.record(failures);
      throw error;
    }
  }

  logout(caller: AuthenticatedUser): Promise<void> {
    return this.sessions.revoke(caller, caller.sessionId);
  }

  /** Sets a new password and ends every other session of the caller, in one transaction. */
  async changePassword(caller: AuthenticatedUser, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.users.getWithPassword(caller.userId);
    if (!(await this.hasher.verify(currentPassword, user.passwordHash))) throw new WrongCurrentPassword();
    await this.policy.assertAcceptable(newPassword, user.email, 'newPassword');
    const passwordHash = await this.hasher.hash(newPassword);
    await this.transactions.run(async (em) => {
      await em.nativeUpdate(User, { id: user.id }, { passwordHash });
      await this.sessions.revokeOthers(caller);
    });
  }
}
