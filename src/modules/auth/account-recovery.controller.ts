import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser, Public } from '../../common/auth/decorators.js';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.js';
import { AccountRecoveryService } from './account-recovery.service.js';
import {
  ChangeEmailDto,
  ForgotPasswordDto,
  MailQueuedDto,
  MailTokenDto,
  ResetPasswordDto,
} from './dto/account-recovery.dto.js';

const RESET_QUEUED: MailQueuedDto = {
  message: 'If an account uses this address, a link to reset its password is on its way',
};

@ApiTags('auth')
@Controller('auth')
export class AccountRecoveryController {
  constructor(private readonly recovery: AccountRecoveryService) {}

  /**
   * Mail a password-reset link (valid 30 minutes, single use) to the account of this
   * address. The answer is the same, in about the same time, whether or not an account uses
   * it. Limited per client and per address.
   */
  @Public()
  @RateLimit('credentials-ip', 'credentials-email')
  @Post('password/forgot')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ description: 'Accepted; a mail follows if an account uses the address', type: MailQueuedDto })
  @ApiProblems(400, 413, 415, 429)
  async forgotPassword(@Body() body: ForgotPasswordDto): Promise<MailQueuedDto> {
    await this.recovery.forgotPassword(body.email);
    return RESET_QUEUED;
  }

  /**
   * Set a new password with the token of a reset link. Every session and refresh token of
   * the account is revoked, and a "password changed" mail follows.
   */
  @Public()
  @Post('password/reset')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Password set; every session of the account revoked' })
  @ApiProblems(400, 413, 415, 429)
  resetPassword(@Body() body: ResetPasswordDto): Promise<void> {
    return this.recovery.resetPassword(body.token, body.newPassword);
  }

  /**
   * Confirm an address with the token of a verification or email-change link: the address
   * is marked verified (`emailVerifiedAt`), or the account moves to the new address.
   */
  @Public()
  @Post('email/verify')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Address confirmed' })
  @ApiProblems(400, 409, 413, 415, 429)
  verifyEmail(@Body() body: MailTokenDto): Promise<void> {
    return this.recovery.verifyEmail(body.token);
  }
}

/** Lives with the other credentials in the auth module; its path is the user's. */
@ApiTags('users')
@Controller('users/me/email')
export class EmailController {
  constructor(private readonly recovery: AccountRecoveryService) {}

  /** Mail the caller a new link to verify their address (nothing if it is verified already). */
  @Post('verification')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ description: 'Accepted; the mail follows', type: MailQueuedDto })
  @ApiProblems(401, 429)
  async resendVerification(@CurrentUser() caller: AuthenticatedUser): Promise<MailQueuedDto> {
    await this.recovery.resendVerification(caller);
    return { message: 'Unless your address is verified already, a verification link is on its way' };
  }

  /**
   * Move the account to another address: a link goes to the new address, and the account
   * moves when it is opened (`POST /auth/email/verify`); the old address is then told.
   */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ description: 'Accepted; a confirmation link goes to the new address', type: MailQueuedDto })
  @ApiProblems(400, 401, 413, 415, 429)
  async changeEmail(@CurrentUser() caller: AuthenticatedUser, @Body() body: ChangeEmailDto): Promise<MailQueuedDto> {
    await this.recovery.requestEmailChange(caller, body.newEmail, body.currentPassword);
    return { message: 'A link to confirm the new address is on its way to it' };
  }
}
