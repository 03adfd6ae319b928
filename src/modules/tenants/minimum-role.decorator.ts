import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiExtension, ApiParam } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import type { Role } from './roles.js';
import { TenantMembership } from './tenant-membership.js';

export const MINIMUM_ROLE = 'yello:minimumRole';

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
 * document as `x-minimum-role`.
 */
export const MinimumRole = (role: Role, options: Omit<RoleRequirement, 'role'> = {}): MethodDecorator =>
  applyDecorators(
    SetMetadata(MINIMUM_ROLE, { role, ...options } satisfies RoleRequirement),
    ApiParam({ name: 'tenantId', type: String, format: 'uuid', description: 'Tenant id (a UUID)' }),
    ApiExtension('x-minimum-role', options.orSelf ? `${role} (or the user themself)` : role),
    ApiProblems(403, 404),
  );

/** The caller's membership in the route's tenant (routes with `@MinimumRole`). */
export const CurrentMembership = createParamDecorator((_data: unknown, context: ExecutionContext): TenantMembership => {
  const membership = context.switchToHttp().getRequest<FastifyRequest>().membership;
  if (!(membership instanceof TenantMembership))
    throw new Error('CurrentMembership used on a route without @MinimumRole');
  return membership;
});
