import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { validate as isUuid } from 'uuid';
import { requiredScope, scopesGrant } from '../../common/auth/api-token-scopes.js';
import { ApiTokenPrincipal, isPrincipal } from '../../common/auth/authenticated-user.js';
import { InsufficientScope } from '../../common/auth/credential.errors.js';
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
 * scopes the request's EntityManager to the tenant (the `tenant` filter). An API token
 * is its creator's membership narrowed: another tenant is a 404, as for a non-member, and
 * the route's scope (`requiredScope`, from its method and minimum role) must be granted.
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
    const principal = request.user;
    if (!isPrincipal(principal)) throw new Error('MembershipGuard runs after authentication');
    const { userId } = principal;
    const token = principal instanceof ApiTokenPrincipal ? principal : undefined;
    if (token && token.tenantId !== tenantId) throw new TenantNotFound();

    const role = await this.memberships.findRole(tenantId, userId);
    if (role === null) throw new TenantNotFound();
    const self = requirement.orSelf !== undefined && pathParam(request, requirement.orSelf) === userId;
    if (!self && !hasAtLeast(role, requirement.role)) throw new InsufficientRole(requirement.role);
    if (token) {
      const scope = requiredScope(request.method, hasAtLeast(requirement.role, 'admin'));
      if (!scopesGrant(token.scopes, scope)) throw new InsufficientScope(scope);
    }

    this.em.setFilterParams(TENANT_FILTER, { tenantId } satisfies TenantFilterParams);
    request.membership = new TenantMembership(tenantId, userId, role, token?.tokenId);
    return true;
  }
}
