import { precompiled, SqlRepository } from '../../database/typed-sql.js';
import type { Tenant } from './entities/tenant.entity.js';

/** A tenant's own fields, as read without hydrating an entity. */
export interface TenantSummary {
  id: string;
  name: string;
  slug: string;
  createdAt: Date;
  updatedAt: Date;
}

const TENANT_SUMMARY = precompiled(1, (db, tenantId = '') =>
  db.selectFrom('tenants').where('id', '=', tenantId).select(['id', 'name', 'slug', 'created_at', 'updated_at']),
);

export class TenantRepository extends SqlRepository<Tenant> {
  /** The tenant, or null once deleted: one primary-key read, no entity hydration (every client polls it). */
  async findSummary(tenantId: string): Promise<TenantSummary | null> {
    const [row] = (await TENANT_SUMMARY(this.sql(), tenantId)).rows;
    if (!row) return null;
    return {
      id: row.id,
      name: row.name,
      slug: row.slug,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    };
  }
}
