import type { Tenant } from './entities/tenant.entity.js';
import type { Role } from './roles.js';

/** The caller's membership in the tenant of the route, resolved once by `MembershipGuard`. */
export class TenantMembership {
  constructor(
    readonly tenant: Tenant,
    readonly userId: string,
    readonly role: Role,
  ) {}

  get tenantId(): string {
    return this.tenant.id;
  }
}
