import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Purger, RETENTION_MS } from '../../common/housekeeping/purger.js';
import { RefreshToken } from './entities/refresh-token.entity.js';
import { Session } from './entities/session.entity.js';

@Injectable()
@Purger()
export class SessionsPurger implements Purger {
  constructor(private readonly em: EntityManager) {}

  async purge(now: Date): Promise<Record<string, number>> {
    const em = this.em.fork();
    const retained = new Date(now.getTime() - RETENTION_MS);
    return {
      // Refresh tokens of these sessions go with them (ON DELETE CASCADE).
      sessions: await em.nativeDelete(Session, {
        $or: [{ expiresAt: { $lt: retained } }, { revokedAt: { $lt: retained } }],
      }),
      // An expired token can no longer be spent, so it no longer needs reuse detection.
      refreshTokens: await em.nativeDelete(RefreshToken, { expiresAt: { $lt: now } }),
    };
  }
}
