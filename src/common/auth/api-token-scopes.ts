/** What an API token may do in its tenant; `write` implies `read`, `admin` implies both. */
export const API_TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

const RANK: Record<ApiTokenScope, number> = { read: 0, write: 1, admin: 2 };

/** Whether tokens with `scopes` may make a request that needs `required`. */
export function scopesGrant(scopes: readonly ApiTokenScope[], required: ApiTokenScope): boolean {
  return scopes.some((scope) => RANK[scope] >= RANK[required]);
}

/**
 * The scope a tenant route needs, read from what the route already declares: its method
 * and whether its minimum role is admin or stronger. Routes for admins (members,
 * invitations, the tenant) need `admin`; other reads `read`; other writes `write`.
 */
export function requiredScope(method: string, forAdmins: boolean): ApiTokenScope {
  if (forAdmins) return 'admin';
  const upper = method.toUpperCase();
  return upper === 'GET' || upper === 'HEAD' ? 'read' : 'write';
}

/** The scopes in their canonical order, each once. */
export function canonicalScopes(scopes: Iterable<ApiTokenScope>): ApiTokenScope[] {
  const given = new Set(scopes);
  return API_TOKEN_SCOPES.filter((scope) => given.has(scope));
}

/** The name of the Passport strategy of API tokens. */
export const API_TOKEN_STRATEGY = 'api-token';
