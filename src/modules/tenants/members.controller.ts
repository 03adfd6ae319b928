import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../common/http/params.js';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { ChangeRoleDto, MemberDto, MemberPageDto } from './dto/member.dto.js';
import { MembersService } from './members.service.js';
import { CurrentMembership, MinimumRole } from './minimum-role.decorator.js';
import type { TenantMembership } from './tenant-membership.js';

@ApiTags('members')
@Controller('tenants/:tenantId/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  /** Members of the tenant, in the order they joined. */
  @Get()
  @MinimumRole('viewer')
  @ApiOkResponse({ description: 'A page of members', type: MemberPageDto })
  @ApiProblems(400, 401, 429)
  listMembers(@CurrentMembership() membership: TenantMembership, @Query() page: PageQueryDto): Promise<MemberPageDto> {
    return this.members.list(membership, page);
  }

  /** Change a member's role. Only owners grant or take `owner`; the last owner stays owner. */
  @Patch(':userId')
  @MinimumRole('admin')
  @ApiOkResponse({ description: 'The member, with the new role', type: MemberDto })
  @ApiProblems(400, 401, 409, 413, 415, 429)
  changeMemberRole(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('userId') userId: string,
    @Body() body: ChangeRoleDto,
  ): Promise<MemberDto> {
    return this.members.changeRole(membership, userId, body.role);
  }

  /** Remove a member, or leave (your own user id). The last owner can do neither. */
  @Delete(':userId')
  @MinimumRole('admin', { orSelf: 'userId' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Member removed' })
  @ApiProblems(400, 401, 409, 429)
  removeMember(@CurrentMembership() membership: TenantMembership, @UuidParam('userId') userId: string): Promise<void> {
    return this.members.remove(membership, userId);
  }
}
