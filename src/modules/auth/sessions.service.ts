import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import type { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import type { Page } from '../../common/pagination/page.dto.js';
import { PaginationService } from '../../common/pagination/pagination.service.js';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';
import { SessionDto } from './dto/session.dto.js';
import { User } from '../users/entities/user.entity.js';
import { InvalidRefreshToken, SessionNotFound } from './auth.errors.js';
import { RefreshToken } from './entities/refresh-token.entity.js';
import { Session } from './entities/session.entity.js';
import { hashRefreshToken, TokenService } from './token.service.js';
import { Transactions } from '../../database/transactions.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

type RotationOutcome = { pair: TokenPair } | { reused: RefreshToken | null };

/** `lastUsedAt` is a hint for the sessions list: refresh it at most this often per session. */
const LAST_USED_RESOLUTION_MS = 60_000;

@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly tokens: TokenService,
    private readonly pagination: PaginationService,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  /** Opens a session for `user` and issues its first token pair (flushed with the caller's unit of work). */
  async start(user: User, userAgent: string | undefined): Promise<TokenPair> {
    const now = new Date();
    const session = this.em.create(Session, {
      user,
      userAgent: userAgent?.slice(0, 512) ?? null,
      expiresAt: now,
    });
    const pair = await this.issue(session, now);
    await this.em.flush();
    return pair;
  }

  /**
   * Spends a refresh token and issues the next pair; `admit` (the per-session rate limit)
   * runs once the token has proved its session, and its refusal leaves the token unspent.
   *
   * A token presented after it was spent means it leaked: the whole session is revoked
   * (RFC 9700 §4.14.2). Except within the grace period after it was spent, when it is the
   * client racing itself (two tabs refreshing at once): it then gets a fresh pair of the
   * same session, and the pair issued moments ago is spent, so the session keeps one live
   * refresh token and a stolen one is still caught at its next use.
   */
  async rotate(refreshToken: string, admit: (sessionId: string) => Promise<void>): Promise<TokenPair> {
    const tokenHash = hashRefreshToken(refreshToken);
    const now = new Date();
    const graceMs = this.config.auth.refreshReuseGraceSeconds * 1000;
    const outcome = await this.transactions.run(async (em): Promise<RotationOutcome> => {
      // One conditional UPDATE: of two concurrent uses of one token, exactly one wins.
      const spent = await em.nativeUpdate(
        RefreshToken,
        { tokenHash, spentAt: null, expiresAt: { $gt: now } },
        { spentAt: now },
      );
      if (spent === 0) {
        const reused = await em.findOne(RefreshToken, { tokenHash, spentAt: { $ne: null } }, { populate: ['session'] });
        // `spentAt` can be a few ms after `now`: a racing request spent it while this one waited.
        const withinGrace =
          graceMs > 0 && reused?.spentAt != null && reused.spentAt.getTime() > now.getTime() - graceMs;
        if (!reused || !withinGrace || !reused.session.isActive(now)) return { reused };
        // Serialises racing tabs: each spends the live token before issuing its own.
        await em.findOneOrFail(Session, { id: reused.session.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        await admit(reused.session.id);
        await em.nativeUpdate(RefreshToken, { session: reused.session.id, spentAt: null }, { spentAt: now });
        return { pair: await this.issue(reused.session, now) };
      }
      const { session } = await em.findOneOrFail(RefreshToken, { tokenHash }, { populate: ['session'] });
      if (!session.isActive(now)) return { reused: null };
      await admit(session.id);
      return { pair: await this.issue(session, now) };
    });
    if ('pair' in outcome) return outcome.pair;
    if (outcome.reused) {
      await this.em.nativeUpdate(Session, { id: outcome.reused.session.id, revokedAt: null }, { revokedAt: now });
      this.logger.warn({ sessionId: outcome.reused.session.id }, 'refresh token reused: session revoked');
    }
    throw new InvalidRefreshToken();
  }

  /**
   * Whether the session behind an access token is live (not revoked, not expired).
   * Runs on every authenticated request: one indexed statement, no entity hydration.
   */
  async isActive(sessionId: string, userId: string): Promise<boolean> {
    const now = new Date();
    const sessions = this.em.getRepository(Session);
    const session = await sessions.findLive(userId, sessionId, now, new Date(now.getTime() - LAST_USED_RESOLUTION_MS));
    if (!session) return false;
    if (session.lastUsedStale) await sessions.markUsed(userId, sessionId, now);
    return true;
  }

  listActive(caller: AuthenticatedUser, query: PageQueryDto): Promise<Page<SessionDto>> {
    return this.pagination.page(
      query,
      { scope: caller.userId, list: 'sessions', sort: '-createdAt' },
      (window) =>
        this.em.findByCursor(Session, {
          ...window,
          where: { user: caller.userId, revokedAt: null, expiresAt: { $gt: new Date() } },
          orderBy: { createdAt: 'desc', id: 'desc' },
        }),
      (session) => SessionDto.from(session, caller),
    );
  }

  async revoke(caller: AuthenticatedUser, sessionId: string): Promise<void> {
    const revoked = await this.em.nativeUpdate(
      Session,
      { id: sessionId, user: caller.userId, revokedAt: null, expiresAt: { $gt: new Date() } },
      { revokedAt: new Date() },
    );
    if (revoked === 0) throw new SessionNotFound();
  }

  /** Ends every other session of the caller (after a password change). */
  async revokeOthers(caller: AuthenticatedUser): Promise<void> {
    await this.em.nativeUpdate(
      Session,
      { user: caller.userId, id: { $ne: caller.sessionId }, revokedAt: null },
      { revokedAt: new Date() },
    );
  }

  private async issue(session: Session, now: Date): Promise<TokenPair> {
    const refresh = this.tokens.newRefreshToken(session.id, now);
    this.em.create(RefreshToken, { tokenHash: refresh.hash, session, expiresAt: refresh.expiresAt });
    session.expiresAt = refresh.expiresAt;
    session.lastUsedAt = now;
    return {
      accessToken: await this.tokens.signAccessToken(session.user.id, session.id),
      refreshToken: refresh.token,
      tokenType: 'Bearer',
      expiresIn: this.tokens.accessTokenTtlSeconds,
    };
  }
}
