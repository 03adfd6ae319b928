import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import type { Page } from '../../common/pagination/page.dto.js';
import type { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { PaginationService } from '../../common/pagination/pagination.service.js';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';
import { User } from '../users/entities/user.entity.js';
import { CreatedInvitationDto, InvitationDto, type CreateInvitationDto } from './dto/invitation.dto.js';
import { MemberDto, MembershipDto } from './dto/member.dto.js';
import { Invitation } from './entities/invitation.entity.js';
import { Membership } from './entities/membership.entity.js';
import { Tenant } from './entities/tenant.entity.js';
import { TENANT_FILTER } from './entities/tenant-scoped.entity.js';
import { canChangeRole } from './roles.js';
import type { TenantMembership } from './tenant-membership.js';
import {
  AlreadyMember,
  InvitationForAnotherEmail,
  InvitationNotFound,
  InvitationNotPending,
  OwnerRoleReserved,
  UnverifiedEmail,
} from './tenants.errors.js';
import { Transactions } from '../../database/transactions.js';
import { EventLog } from '../events/event-log.js';
import { JobQueue } from '../../common/jobs/job-queue.repository.js';
import { Mailer } from '../mail/mailer.js';
import { INVITATION_MAIL } from './invitation-mails.js';

const DAY_MS = 86_400_000;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

@Injectable()
export class InvitationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly pagination: PaginationService,
    private readonly jobs: JobQueue,
    private readonly mailer: Mailer,
    @InjectAppConfig() private readonly config: AppConfig,
    private readonly events: EventLog,
  ) {}

  /**
   * Invites an email with a role. The token is returned once and only its hash is
   * kept; a new invitation for the same email replaces a pending one. With SMTP configured,
   * the invitee is also mailed the link.
   */
  async create(caller: TenantMembership, input: CreateInvitationDto): Promise<CreatedInvitationDto> {
    if (!canChangeRole(caller.role, null, input.role)) throw new OwnerRoleReserved();
    const token = randomBytes(32).toString('base64url');
    return this.transactions.run(async (em) => {
      const member = await em.count(Membership, { user: { email: input.email } });
      if (member > 0) throw new AlreadyMember();
      await em.getRepository(Invitation).lockEmail(caller.tenantId, input.email);
      const now = new Date();
      // Replaces the open invitation, expired or not: the unique index allows one.
      await em.nativeUpdate(Invitation, { email: input.email, acceptedAt: null, revokedAt: null }, { revokedAt: now });
      const invitation = em.create(Invitation, {
        tenant: em.getReference(Tenant, caller.tenantId),
        email: input.email,
        role: input.role,
        tokenHash: hashToken(token),
        invitedBy: em.getReference(User, caller.userId),
        expiresAt: new Date(now.getTime() + this.config.tenants.invitationTtlDays * DAY_MS),
      });
      await em.flush();
      // Mailed only where mail leaves the machine; the token is in the answer either way.
      if (this.mailer.delivers) {
        await this.jobs.add(em, INVITATION_MAIL, { tenantId: caller.tenantId, invitationId: invitation.id, token });
      }
      return { ...InvitationDto.from(invitation), token };
    });
  }

  listPending(caller: TenantMembership, query: PageQueryDto): Promise<Page<InvitationDto>> {
    return this.pagination.page(
      query,
      { scope: caller.tenantId, list: 'invitations', sort: '-createdAt' },
      (window) =>
        this.em.findByCursor(Invitation, {
          ...window,
          where: pending(new Date()),
          orderBy: { createdAt: 'desc', id: 'desc' },
        }),
      (invitation) => InvitationDto.from(invitation),
    );
  }

  async get(_caller: TenantMembership, invitationId: string): Promise<InvitationDto> {
    const invitation = await this.em.findOne(Invitation, { id: invitationId, ...pending(new Date()) });
    if (!invitation) throw new InvitationNotFound();
    return InvitationDto.from(invitation);
  }

  async revoke(_caller: TenantMembership, invitationId: string): Promise<void> {
    const now = new Date();
    const revoked = await this.em.nativeUpdate(Invitation, { id: invitationId, ...pending(now) }, { revokedAt: now });
    if (revoked === 0) throw new InvitationNotFound();
  }

  /** Joins the caller to the invitation's tenant with the invited role. */
  async accept(caller: AuthenticatedUser, token: string): Promise<MembershipDto> {
    return this.transactions.run(async (em) => {
      const now = new Date();
      // The token is the only key here: this lookup crosses tenants on purpose.
      const invitation = await em.findOne(
        Invitation,
        { tokenHash: hashToken(token) },
        { populate: ['tenant'], filters: { [TENANT_FILTER]: false } },
      );
      if (!invitation) throw new InvitationNotFound();
      if (invitation.acceptedAt) throw new InvitationNotPending('used');
      if (invitation.revokedAt) throw new InvitationNotPending('revoked');
      if (invitation.expiresAt <= now) throw new InvitationNotPending('expired');
      const user = await em.findOneOrFail(User, { id: caller.userId });
      if (user.email !== invitation.email) throw new InvitationForAnotherEmail();
      if (this.config.tenants.requireVerifiedEmail && !user.emailVerifiedAt) throw new UnverifiedEmail();

      const scope = { [TENANT_FILTER]: { tenantId: invitation.tenant.id } };
      if ((await em.count(Membership, { user }, { filters: scope })) > 0) throw new AlreadyMember();
      // Conditional: of two concurrent acceptances, one wins.
      const claimed = await em.nativeUpdate(
        Invitation,
        { id: invitation.id, acceptedAt: null },
        { acceptedAt: now },
        { filters: scope },
      );
      if (claimed === 0) throw new InvitationNotPending('used');
      // Joining settles every other open invitation of this email here.
      await em.nativeUpdate(
        Invitation,
        { email: invitation.email, acceptedAt: null, revokedAt: null, id: { $ne: invitation.id } },
        { revokedAt: now },
        { filters: scope },
      );
      const membership = em.create(Membership, { tenant: invitation.tenant, user, role: invitation.role });
      await em.flush();
      this.events.record(
        { tenantId: invitation.tenant.id, userId: user.id },
        { type: 'member.added', data: { member: MemberDto.from(membership), invitationId: invitation.id } },
      );
      return MembershipDto.from(membership);
    });
  }
}

function pending(now: Date) {
  return { acceptedAt: null, revokedAt: null, expiresAt: { $gt: now } };
}
