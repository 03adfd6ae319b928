import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser } from '../../common/auth/decorators.js';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { AuthService } from './auth.service.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';

/** Lives with the other credentials in the auth module; its path is the user's. */
@ApiTags('users')
@Controller('users/me')
export class PasswordController {
  constructor(private readonly auth: AuthService) {}

  /** Change the caller's password; every other session of the caller is revoked. */
  @Post('password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Password changed; other sessions revoked' })
  @ApiProblems(400, 401, 413, 415, 429)
  changePassword(@CurrentUser() caller: AuthenticatedUser, @Body() body: ChangePasswordDto): Promise<void> {
    return this.auth.changePassword(caller, body.currentPassword, body.newPassword);
  }
}
