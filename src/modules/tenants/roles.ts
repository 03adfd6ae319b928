/** Roles inside a tenant, strongest first. */
export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { owner: 3, admin: 2, member: 1, viewer: 0 };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function hasAtLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

/**
 * Whether `actor` may move someone from role `from` (null: not yet a member) to role
 * `to` (null: out of the tenant). Only an owner grants or takes `owner`; below that,
 * an admin manages every role except owner. Route guards have already required admin+.
 */
export function canChangeRole(actor: Role, from: Role | null, to: Role | null): boolean {
  if (from === 'owner' || to === 'owner') return actor === 'owner';
  return hasAtLeast(actor, 'admin');
}
