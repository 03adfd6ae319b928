import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiExtension, ApiParam, type OperationObject } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { isRole, ROLES, type Role } from './roles.js';
import { TenantMembership } from './tenant-membership.js';

export const MINIMUM_ROLE = 'yello:minimumRole';
/** OpenAPI extension: the weakest role that may call the operation. */
export const ROLE_EXTENSION = 'x-minimum-role';
/** OpenAPI extension: the path parameter naming a user who may act on themself below the role. */
const OR_SELF_EXTENSION = 'x-minimum-role-or-self';

export interface RoleRequirement {
  role: Role;
  /** A path parameter naming a user: that user may act on themself below the role. */
  orSelf?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    membership?: TenantMembership;
  }
}

/**
 * The one statement of who may call a route under `/tenants/{tenantId}`: the caller
 * must be a member with at least `role` (non-members get 404, as for a tenant that does
 * not exist; weaker members 403). Enforced by `MembershipGuard`, shown in the OpenAPI
 * document as `x-minimum-role` (and `x-minimum-role-or-self`) and in each summary.
 */
export const MinimumRole = (role: Role, options: Omit<RoleRequirement, 'role'> = {}): MethodDecorator =>
  applyDecorators(
    SetMetadata(MINIMUM_ROLE, { role, ...options } satisfies RoleRequirement),
    ApiParam({ name: 'tenantId', type: String, format: 'uuid', description: 'Tenant id (a UUID)' }),
    ApiExtension(ROLE_EXTENSION, role),
    ...(options.orSelf ? [ApiExtension(OR_SELF_EXTENSION, options.orSelf)] : []),
    ApiProblems(403, 404),
  );

/**
 * The minimum role as the operation list shows it: `member+`, `owner`, `admin+ or self`;
 * undefined for an operation outside tenants.
 */
export function minimumRoleBadge(operation: OperationObject): string | undefined {
  const role: unknown = Reflect.get(operation, ROLE_EXTENSION);
  if (!isRole(role)) return undefined;
  const badge = role === ROLES[0] ? role : `${role}+`;
  return Reflect.has(operation, OR_SELF_EXTENSION) ? `${badge} or self` : badge;
}

/** The caller's membership in the route's tenant (routes with `@MinimumRole`). */
export const CurrentMembership = createParamDecorator((_data: unknown, context: ExecutionContext): TenantMembership => {
  const membership = context.switchToHttp().getRequest<FastifyRequest>().membership;
  if (!(membership instanceof TenantMembership))
    throw new Error('CurrentMembership used on a route without @MinimumRole');
  return membership;
});
