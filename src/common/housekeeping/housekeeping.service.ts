import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { RefreshToken } from '../../modules/auth/entities/refresh-token.entity.js';
import { Session } from '../../modules/auth/entities/session.entity.js';
import { Invitation } from '../../modules/tenants/entities/invitation.entity.js';
import { TENANT_FILTER } from '../../modules/tenants/entities/tenant-scoped.entity.js';
import { IdempotencyRecord } from '../idempotency/idempotency-record.entity.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Ended sessions and settled invitations stay this long for the record, then go. */
const RETENTION_MS = 30 * DAY_MS;
/** Idempotency keys replay for 24 hours. */
const IDEMPOTENCY_WINDOW_MS = DAY_MS;

export interface PurgeReport {
  sessions: number;
  refreshTokens: number;
  invitations: number;
  idempotencyKeys: number;
}

/**
 * Deletes rows nothing can use any more, so tables that grow with traffic stay bounded.
 * Every instance runs it hourly; the deletes are idempotent, so concurrent runs are harmless.
 */
@Injectable()
export class HousekeepingService {
  private readonly logger = new Logger(HousekeepingService.name);

  constructor(private readonly orm: MikroORM) {}

  @Interval(HOUR_MS)
  async purgeHourly(): Promise<void> {
    try {
      const report = await this.purge();
      this.logger.log({ purged: report }, 'housekeeping done');
    } catch (error) {
      this.logger.error({ err: error }, 'housekeeping failed');
    }
  }

  async purge(now = new Date()): Promise<PurgeReport> {
    const em = this.orm.em.fork();
    const retained = new Date(now.getTime() - RETENTION_MS);
    return {
      // Refresh tokens of these sessions go with them (ON DELETE CASCADE).
      sessions: await em.nativeDelete(Session, { $or: [{ expiresAt: { $lt: retained } }, { revokedAt: { $lt: retained } }] }),
      // An expired token can no longer be spent, so it no longer needs reuse detection.
      refreshTokens: await em.nativeDelete(RefreshToken, { expiresAt: { $lt: now } }),
      // Across all tenants on purpose: this is the only unscoped writer of tenant data.
      invitations: await em.nativeDelete(
        Invitation,
        { $or: [{ expiresAt: { $lt: retained } }, { revokedAt: { $lt: retained } }, { acceptedAt: { $lt: retained } }] },
        { filters: { [TENANT_FILTER]: false } },
      ),
      idempotencyKeys: await em.nativeDelete(IdempotencyRecord, {
        createdAt: { $lt: new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS) },
      }),
    };
  }
}
