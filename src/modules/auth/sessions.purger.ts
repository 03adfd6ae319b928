import { Injectable } from '@nestjs/common';
import { deleteBatch, Purger, RETENTION_MS, type PurgeBatch } from '../../common/housekeeping/purger.js';
import { RefreshToken } from './entities/refresh-token.entity.js';
import { Session } from './entities/session.entity.js';

@Injectable()
@Purger()
export class SessionsPurger implements Purger {
  purgeJobs(now: Date): Record<string, PurgeBatch> {
    const retained = new Date(now.getTime() - RETENTION_MS);
    return {
      // Refresh tokens of these sessions go with them (ON DELETE CASCADE).
      sessions: (em, limit) =>
        deleteBatch(em, Session, { $or: [{ expiresAt: { $lt: retained } }, { revokedAt: { $lt: retained } }] }, limit),
      // An expired token can no longer be spent, so it no longer needs reuse detection.
      refreshTokens: (em, limit) => deleteBatch(em, RefreshToken, { expiresAt: { $lt: now } }, limit),
    };
  }
}
