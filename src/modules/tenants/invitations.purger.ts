import { Injectable } from '@nestjs/common';
import { deleteBatch, Purger, RETENTION_MS, type PurgeBatch } from '../../common/housekeeping/purger.js';
import { Invitation } from './entities/invitation.entity.js';
import { TENANT_FILTER } from './entities/tenant-scoped.entity.js';

@Injectable()
@Purger()
export class InvitationsPurger implements Purger {
  purgeJobs(now: Date): Record<string, PurgeBatch> {
    const retained = new Date(now.getTime() - RETENTION_MS);
    const settled = {
      $or: [{ expiresAt: { $lt: retained } }, { revokedAt: { $lt: retained } }, { acceptedAt: { $lt: retained } }],
    };
    // Across all tenants on purpose: the only unscoped writer of tenant data.
    return { invitations: (em, limit) => deleteBatch(em, Invitation, settled, limit, { [TENANT_FILTER]: false }) };
  }
}
