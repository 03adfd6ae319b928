import { precompiled, SqlRepository } from '../../database/typed-sql.js';
import type { Session } from './entities/session.entity.js';

/** Compiled once: every authenticated request runs it. */
const LIVE_SESSION = precompiled(4, (db, sessionId = '', userId = '', now = '', staleBefore = '') =>
  db
    .selectFrom('sessions')
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .select((eb) => eb('last_used_at', '<', staleBefore).as('stale')),
);

export class SessionRepository extends SqlRepository<Session> {
  /**
   * Whether the user's session is live (not revoked, not expired at `now`), and if so
   * whether its `lastUsedAt` is older than `staleBefore`. Runs on every authenticated
   * request: one statement on the primary key, no entity hydration.
   */
  async findLive(
    userId: string,
    sessionId: string,
    now: Date,
    staleBefore: Date,
  ): Promise<{ lastUsedStale: boolean } | null> {
    const { rows } = await LIVE_SESSION(this.sql(), sessionId, userId, now.toISOString(), staleBefore.toISOString());
    const row = rows[0];
    return row ? { lastUsedStale: Boolean(row.stale) } : null;
  }

  /** Records that the user's session was used at `now`. */
  async markUsed(userId: string, sessionId: string, now: Date): Promise<void> {
    await this.sql()
      .updateTable('sessions')
      .set({ last_used_at: now })
      .where('id', '=', sessionId)
      .where('user_id', '=', userId)
      .execute();
  }
}
