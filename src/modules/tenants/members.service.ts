import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Page } from '../../common/pagination/page.dto.js';
import type { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { PaginationService } from '../../common/pagination/pagination.service.js';
import { Transactions } from '../../database/transactions.js';
import { EventLog } from '../events/event-log.js';
import { MemberDto, MembershipDto } from './dto/member.dto.js';
import { Membership } from './entities/membership.entity.js';
import { MemberCannotHoldTasks } from './member-events.js';
import { TENANT_FILTER } from './entities/tenant-scoped.entity.js';
import { canChangeRole, hasAtLeast, type Role } from './roles.js';
import type { TenantMembership } from './tenant-membership.js';
import { InsufficientRole, LastOwner, MemberNotFound, OwnerRoleReserved, TenantNotFound } from './tenants.errors.js';

@Injectable()
export class MembersService {
  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly pagination: PaginationService,
    private readonly domainEvents: EventEmitter2,
    private readonly events: EventLog,
  ) {}

  list(caller: TenantMembership, query: PageQueryDto): Promise<Page<MemberDto>> {
    return this.pagination.page(
      query,
      { scope: caller.tenantId, list: 'members', sort: 'joinedAt' },
      (window) => this.em.getRepository(Membership).findMemberPage(caller.tenantId, window),
      (member) => member,
    );
  }

  async changeRole(caller: TenantMembership, userId: string, role: Role): Promise<MemberDto> {
    return this.withMembershipsLocked(caller, async (em, actorRole) => {
      const target = await this.find(em, userId);
      if (!canChangeRole(actorRole, target.role, role)) throw new OwnerRoleReserved();
      if (target.role === 'owner' && role !== 'owner') await this.assertAnotherOwner(em);
      // Viewers cannot hold tasks: the demotion unassigns theirs in the same transaction.
      if (role === 'viewer' && target.role !== 'viewer') await this.unassignTasks(em, caller, target);
      const from = target.role;
      target.role = role;
      const member = MemberDto.from(target);
      if (from !== role) {
        this.events.record(caller, {
          type: 'member.role_changed',
          data: { member, changes: { role: { from, to: role } } },
        });
      }
      return member;
    });
  }

  /** Removes a member (or lets the caller leave). */
  async remove(caller: TenantMembership, userId: string): Promise<void> {
    await this.withMembershipsLocked(caller, async (em, actorRole) => {
      const target = await this.find(em, userId);
      const leaving = userId === caller.userId;
      if (!leaving && !canChangeRole(actorRole, target.role, null)) throw new OwnerRoleReserved();
      if (target.role === 'owner') await this.assertAnotherOwner(em);
      await this.unassignTasks(em, caller, target);
      em.remove(target);
      this.events.record(caller, { type: 'member.removed', data: { member: MemberDto.from(target) } });
    });
  }

  /** All of a user's memberships, across tenants (for their own profile). */
  async listForUser(userId: string): Promise<MembershipDto[]> {
    const memberships = await this.em.find(
      Membership,
      { user: userId },
      { populate: ['tenant'], orderBy: { createdAt: 'asc', id: 'asc' }, filters: { [TENANT_FILTER]: false } },
    );
    return memberships.map((membership) => MembershipDto.from(membership));
  }

  /**
   * Membership changes of one tenant run one at a time (a lock on the tenant row), so
   * two owners demoting each other at once cannot leave the tenant without an owner.
   * The caller's role is read again under the lock: it may have just changed.
   */
  private withMembershipsLocked<T>(
    caller: TenantMembership,
    work: (em: EntityManager, actorRole: Role) => Promise<T>,
  ): Promise<T> {
    return this.transactions.run(async (em) => {
      if (!(await em.getRepository(Membership).lockTenantMemberships(caller.tenantId))) throw new TenantNotFound();
      // The caller left or was removed since the guard saw them: as for any non-member.
      const actor = await this.find(em, caller.userId).catch((error: unknown) => {
        throw error instanceof MemberNotFound ? new TenantNotFound() : error;
      });
      if (!hasAtLeast(actor.role, 'admin') && actor.user.id !== caller.userId) throw new InsufficientRole('admin');
      return work(em, actor.role);
    });
  }

  private async find(em: EntityManager, userId: string): Promise<Membership> {
    const membership = await em.findOne(Membership, { user: userId }, { populate: ['user'], refresh: true });
    if (!membership) throw new MemberNotFound();
    return membership;
  }

  /**
   * Unassigns the member's tasks (through `MemberCannotHoldTasks`, handled by the tasks
   * module). The membership row is locked first: an assignment running at the same time
   * (it reads the row `FOR SHARE`) either finishes before and is undone here, or waits and
   * then finds no assignable member.
   */
  private async unassignTasks(em: EntityManager, caller: TenantMembership, target: Membership): Promise<void> {
    await em.lock(target, LockMode.PESSIMISTIC_WRITE);
    await this.domainEvents.emitAsync(
      MemberCannotHoldTasks.event,
      new MemberCannotHoldTasks(em, caller, target.user.id),
    );
  }

  private async assertAnotherOwner(em: EntityManager): Promise<void> {
    if ((await em.count(Membership, { role: 'owner' })) <= 1) throw new LastOwner();
  }
}
