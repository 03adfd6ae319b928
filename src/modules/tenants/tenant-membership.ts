import type { Role } from './roles.js';

/** The caller's membership in the tenant of the route, resolved once by `MembershipGuard`. */
export class TenantMembership {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly role: Role,
    /** The API token the caller acts with, when it is one (events name it as their actor's). */
    readonly tokenId?: string,
  ) {}
}
