import { Filter, ManyToOne } from '@mikro-orm/decorators/legacy';
import { Tenant } from './tenant.entity.js';

export const TENANT_FILTER = 'tenant';

export interface TenantFilterParams {
  tenantId: string;
}

/**
 * Base of every entity that belongs to a tenant (memberships, invitations, and later
 * projects, tasks, labels, comments). Its `tenant` column is non-null, and the `tenant`
 * filter is on by default: a query on such an entity without the filter's tenant id
 * (set per request by `MembershipGuard`) throws instead of reading across tenants.
 * Code that must cross tenants says so with `filters: { tenant: false }`.
 */
@Filter({
  name: TENANT_FILTER,
  default: true,
  cond: (params: Record<string, unknown>) => {
    if (typeof params.tenantId !== 'string') throw new Error('The tenant filter needs { tenantId }');
    return { tenant: params.tenantId };
  },
})
export abstract class TenantScoped {
  @ManyToOne(() => Tenant, { deleteRule: 'cascade' })
  tenant!: Tenant;
}
