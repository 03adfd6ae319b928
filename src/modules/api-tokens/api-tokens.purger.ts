import { Injectable } from '@nestjs/common';
import { deleteBatch, Purger, RETENTION_MS, type PurgeBatch } from '../../common/housekeeping/purger.js';
import { TENANT_FILTER } from '../tenants/entities/tenant-scoped.entity.js';
import { ApiToken } from './entities/api-token.entity.js';

@Injectable()
@Purger()
export class ApiTokensPurger implements Purger {
  purgeJobs(now: Date): Record<string, PurgeBatch> {
    const retained = new Date(now.getTime() - RETENTION_MS);
    // An expired token stays listed for a while (which automation broke?), then goes; a
    // revoked one is no longer listed, and goes after the same while. Across all tenants.
    const over = { $or: [{ expiresAt: { $lt: retained } }, { revokedAt: { $lt: retained } }] };
    return { apiTokens: (em, limit) => deleteBatch(em, ApiToken, over, limit, { [TENANT_FILTER]: false }) };
  }
}
