import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser } from '../../common/auth/decorators.js';
import { setLocation } from '../../common/http/resource-headers.js';
import { UuidParam } from '../../common/http/params.js';
import { Idempotent } from '../../common/idempotency/idempotent.decorator.js';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import {
  AcceptInvitationDto,
  CreatedInvitationDto,
  CreateInvitationDto,
  InvitationDto,
  InvitationPageDto,
} from './dto/invitation.dto.js';
import { MembershipDto } from './dto/member.dto.js';
import { InvitationsService } from './invitations.service.js';
import { CurrentMembership, MinimumRole } from './minimum-role.decorator.js';
import type { TenantMembership } from './tenant-membership.js';

@ApiTags('invitations')
@Controller('tenants/:tenantId/invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  /**
   * Invite someone by email. The response carries the one-time token: deliver it to the
   * invitee yourself (Yello sends no email). Admins cannot invite owners.
   */
  @Post()
  @Idempotent()
  @MinimumRole('admin')
  @ApiCreatedResponse({ description: 'The invitation, with its one-time token', type: CreatedInvitationDto })
  @ApiProblems(400, 401, 409, 413, 415, 429)
  async createInvitation(
    @CurrentMembership() membership: TenantMembership,
    @Body() body: CreateInvitationDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedInvitationDto> {
    const invitation = await this.invitations.create(membership, body);
    setLocation(reply, 'tenants', membership.tenantId, 'invitations', invitation.id);
    return invitation;
  }

  /** Pending invitations (without their tokens), newest first. */
  @Get()
  @MinimumRole('admin')
  @ApiOkResponse({ description: 'A page of pending invitations', type: InvitationPageDto })
  @ApiProblems(400, 401, 429)
  listInvitations(
    @CurrentMembership() membership: TenantMembership,
    @Query() page: PageQueryDto,
  ): Promise<InvitationPageDto> {
    return this.invitations.listPending(membership, page);
  }

  /** One pending invitation. */
  @Get(':invitationId')
  @MinimumRole('admin')
  @ApiOkResponse({ description: 'The invitation', type: InvitationDto })
  @ApiProblems(400, 401, 429)
  getInvitation(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('invitationId') invitationId: string,
  ): Promise<InvitationDto> {
    return this.invitations.get(membership, invitationId);
  }

  /** Revoke a pending invitation: its token stops working. */
  @Delete(':invitationId')
  @MinimumRole('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Invitation revoked' })
  @ApiProblems(400, 401, 429)
  revokeInvitation(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('invitationId') invitationId: string,
  ): Promise<void> {
    return this.invitations.revoke(membership, invitationId);
  }
}

@ApiTags('invitations')
@Controller('invitations')
export class InvitationAcceptanceController {
  constructor(private readonly invitations: InvitationsService) {}

  /** Join a tenant with an invitation token sent to the caller's email address. */
  @Post('accept')
  @Idempotent()
  @ApiCreatedResponse({ description: "Joined: the caller's new membership", type: MembershipDto })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 429)
  async acceptInvitation(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: AcceptInvitationDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MembershipDto> {
    const membership = await this.invitations.accept(caller, body.token);
    setLocation(reply, 'tenants', membership.tenantId);
    return membership;
  }
}
