import type { ApiTokenScope } from './api-token-scopes.js';

/** Who is calling: resolved from the access token and its live session by the auth guard. */
export class AuthenticatedUser {
  constructor(
    readonly userId: string,
    readonly sessionId: string,
  ) {}
}

/**
 * A caller authenticated by a tenant API token (`yel_…`): it acts for its creator, in its
 * tenant only, with at most its scopes (and never more than the creator's current role,
 * which `MembershipGuard` reads on every request).
 */
export class ApiTokenPrincipal {
  constructor(
    readonly tokenId: string,
    readonly userId: string,
    readonly tenantId: string,
    readonly scopes: readonly ApiTokenScope[],
    readonly expiresAt: Date,
  ) {}
}

/** Either kind of authenticated caller. */
export type Principal = AuthenticatedUser | ApiTokenPrincipal;

export function isPrincipal(value: unknown): value is Principal {
  return value instanceof AuthenticatedUser || value instanceof ApiTokenPrincipal;
}
