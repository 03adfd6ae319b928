import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Purger, RETENTION_MS } from '../../common/housekeeping/purger.js';
import { Invitation } from './entities/invitation.entity.js';
import { TENANT_FILTER } from './entities/tenant-scoped.entity.js';

@Injectable()
@Purger()
export class InvitationsPurger implements Purger {
  constructor(private readonly em: EntityManager) {}

  async purge(now: Date): Promise<Record<string, number>> {
    const retained = new Date(now.getTime() - RETENTION_MS);
    return {
      // Across all tenants on purpose: the only unscoped writer of tenant data.
      invitations: await this.em.fork().nativeDelete(
        Invitation,
        {
          $or: [{ expiresAt: { $lt: retained } }, { revokedAt: { $lt: retained } }, { acceptedAt: { $lt: retained } }],
        },
        { filters: { [TENANT_FILTER]: false } },
      ),
    };
  }
}
