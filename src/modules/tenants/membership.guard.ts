import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { validate as isUuid } from 'uuid';
import { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { RequestValidationError } from '../../common/http/domain-error.js';
import { API_PREFIX } from '../../common/http/resource-headers.js';
import { TENANT_FILTER, type TenantFilterParams } from './entities/tenant-scoped.entity.js';
import { MINIMUM_ROLE, type RoleRequirement } from './minimum-role.decorator.js';
import { MembershipRepository } from './membership.repository.js';
import { hasAtLeast } from './roles.js';
import { InsufficientRole, TenantNotFound } from './tenants.errors.js';
import { TenantMembership } from './tenant-membership.js';

/** Every route below this one belongs to a tenant and needs `@MinimumRole`. */
const TENANT_ROUTE_PREFIX = `/${API_PREFIX}/tenants/:tenantId`;

function pathParam(request: FastifyRequest, name: string): string | undefined {
  const params: unknown = request.params;
  if (typeof params !== 'object' || params === null) return undefined;
  const value: unknown = Reflect.get(params, name);
  return typeof value === 'string' ? value : undefined;
}

/**
 * Global guard (after authentication) for every route under `/tenants/{tenantId}`:
 * resolves the caller's membership once, enforces the route's `@MinimumRole`, and
 * scopes the request's EntityManager to the tenant (the `tenant` filter).
 */
@Injectable()
export class MembershipGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly em: EntityManager,
    private readonly memberships: MembershipRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // Keyed on the route, not on a parameter's name: everything under /tenants/{tenantId}.
    const tenantRoute = request.routeOptions.url?.startsWith(TENANT_ROUTE_PREFIX) ?? false;
    const requirement = this.reflector.get<RoleRequirement | undefined>(MINIMUM_ROLE, context.getHandler());
    if (!requirement) {
      // A tenant route that forgot its role would run unscoped: fail loudly instead.
      if (tenantRoute) throw new Error(`${context.getClass().name}.${context.getHandler().name} lacks @MinimumRole`);
      return true;
    }
    if (!tenantRoute)
      throw new Error(
        `${context.getClass().name}.${context.getHandler().name}: @MinimumRole outside /tenants/:tenantId`,
      );
    const tenantId = pathParam(request, 'tenantId');
    if (tenantId === undefined || !isUuid(tenantId)) {
      throw new RequestValidationError([{ path: 'tenantId', message: 'must be a UUID' }]);
    }
    if (!(request.user instanceof AuthenticatedUser)) throw new Error('MembershipGuard runs after authentication');
    const { userId } = request.user;

    const role = await this.memberships.findRole(tenantId, userId);
    if (role === null) throw new TenantNotFound();
    const self = requirement.orSelf !== undefined && pathParam(request, requirement.orSelf) === userId;
    if (!self && !hasAtLeast(role, requirement.role)) throw new InsufficientRole(requirement.role);

    this.em.setFilterParams(TENANT_FILTER, { tenantId } satisfies TenantFilterParams);
    request.membership = new TenantMembership(tenantId, userId, role);
    return true;
  }
}
