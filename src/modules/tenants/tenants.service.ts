import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { flushUnique } from '../../database/flush-unique.js';
import type { Page } from '../../common/pagination/page.dto.js';
import type { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { PaginationService } from '../../common/pagination/pagination.service.js';
import { TenantDto, type CreateTenantDto, type UpdateTenantDto } from './dto/tenant.dto.js';
import { Membership } from './entities/membership.entity.js';
import { TENANT_FILTER } from './entities/tenant-scoped.entity.js';
import { Tenant } from './entities/tenant.entity.js';
import { slugFromName, withSuffix } from './slug.js';
import type { TenantMembership } from './tenant-membership.js';
import { SlugTaken, TenantNotFound } from './tenants.errors.js';
import { Transactions } from '../../database/transactions.js';

/** Attempts at a free derived slug before giving up with 409. */
const DERIVED_SLUG_ATTEMPTS = 4;

@Injectable()
export class TenantsService {
  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly pagination: PaginationService,
  ) {}

  /**
   * Creates a tenant with the caller as its owner. A slug given by the client must be
   * free (409); a derived one gets a random suffix when taken.
   */
  async create(caller: AuthenticatedUser, input: CreateTenantDto): Promise<TenantDto> {
    let slug = input.slug ?? slugFromName(input.name);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transactions.run(async (em) => {
          const tenant = em.create(Tenant, { name: input.name, slug });
          em.create(Membership, { tenant, user: caller.userId, role: 'owner' });
          await em.flush();
          return TenantDto.from(tenant, 'owner');
        });
      } catch (error) {
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        if (input.slug !== undefined || attempt === DERIVED_SLUG_ATTEMPTS) throw new SlugTaken();
        slug = withSuffix(slugFromName(input.name));
      }
    }
  }

  /** The caller's tenants with their role, most recently joined first. */
  listForUser(caller: AuthenticatedUser, query: PageQueryDto): Promise<Page<TenantDto>> {
    return this.pagination.page(
      query,
      { scope: caller.userId, list: 'tenants', sort: '-joinedAt' },
      (window) =>
        this.em.findByCursor(Membership, {
          ...window,
          where: { user: caller.userId },
          orderBy: { createdAt: 'desc', id: 'desc' },
          populate: ['tenant'],
          // Crosses tenants on purpose: these are the caller's own memberships.
          filters: { [TENANT_FILTER]: false },
        }),
      (membership) => TenantDto.from(membership.tenant, membership.role),
    );
  }

  /** A read straight into the DTO, no entity hydration (every client polls this). */
  async get(membership: TenantMembership): Promise<TenantDto> {
    const tenant = await this.em.getRepository(Tenant).findSummary(membership.tenantId);
    if (!tenant) throw new TenantNotFound();
    const { id, name, slug, createdAt, updatedAt } = tenant;
    return { id, name, slug, createdAt, updatedAt, role: membership.role };
  }

  async update(membership: TenantMembership, changes: UpdateTenantDto): Promise<TenantDto> {
    const tenant = await this.load(membership);
    this.em.assign(tenant, changes);
    await flushUnique(this.em, () => new SlugTaken());
    return TenantDto.from(tenant, membership.role);
  }

  /** The caller's tenant (gone only if it was deleted since the guard saw the membership). */
  private async load(membership: TenantMembership): Promise<Tenant> {
    const tenant = await this.em.findOne(Tenant, { id: membership.tenantId });
    if (!tenant) throw new TenantNotFound();
    return tenant;
  }

  /** One statement: memberships, invitations and all tenant data go with it (ON DELETE CASCADE). */
  async delete(membership: TenantMembership): Promise<void> {
    await this.em.nativeDelete(Tenant, { id: membership.tenantId });
  }
}
