import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser } from '../../common/auth/decorators.js';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { MembersService } from '../tenants/members.service.js';
import { UpdateProfileDto } from './dto/update-profile.dto.js';
import { ProfileDto, UserDto } from './dto/user.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('users/me')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly members: MembersService,
  ) {}

  /** The caller's profile and tenant memberships. */
  @Get()
  @ApiOkResponse({ description: 'The caller, with their memberships', type: ProfileDto })
  @ApiProblems(401, 429)
  async getCurrentUser(@CurrentUser() caller: AuthenticatedUser): Promise<ProfileDto> {
    const [user, memberships] = await Promise.all([
      this.users.get(caller.userId),
      this.members.listForUser(caller.userId),
    ]);
    return { ...UserDto.from(user), memberships };
  }

  /** Update the caller's profile. */
  @Patch()
  @ApiOkResponse({ description: 'The updated profile', type: UserDto })
  @ApiProblems(400, 401, 413, 415, 429)
  async updateCurrentUser(@CurrentUser() caller: AuthenticatedUser, @Body() body: UpdateProfileDto): Promise<UserDto> {
    return UserDto.from(await this.users.updateProfile(caller.userId, body));
  }
}
