import { PickType } from '@nestjs/swagger';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';
import { NormalizeEmail, TextLength } from '../../../common/validation/decorators.js';
import { UserFieldsDto } from '../../users/dto/user-fields.dto.js';

export class ForgotPasswordDto extends PickType(UserFieldsDto, ['email'] as const) {}

export class MailTokenDto {
  /**
   * The token of the mailed link (its `token` parameter). A token that is unknown, spent,
   * expired or altered gets the same answer.
   * @example 3q2-7wEjRkq5zX0bY9cLm1uV4tPa8sDf6gHjKl2ZxQw
   */
  // Generous: an over-long token is answered like any other bad one, not as a validation error.
  @MaxLength(1024)
  @IsString()
  token!: string;
}

export class ResetPasswordDto extends MailTokenDto {
  /**
   * 8 to 128 characters; common passwords and the email itself are refused.
   * @example Quartz-Meadow-Lantern-57
   */
  @Length(8, 128)
  @IsString()
  newPassword!: string;
}

export class ChangeEmailDto {
  /**
   * The address to move the account to; it moves when the link mailed there is opened.
   * @example ada.lovelace@example.org
   */
  @IsEmail({}, { message: 'must be an email address' })
  @TextLength(0, 254)
  @NormalizeEmail()
  @IsString()
  newEmail!: string;

  /** @example Plum-Orbit-Cascade-92 */
  @MaxLength(1024)
  @IsString()
  currentPassword!: string;
}

/** The answer to a request whose mail is on its way (or, where that must not be told, may be). */
export class MailQueuedDto {
  /** @example "If an account uses this address, a link to reset its password is on its way" */
  message!: string;
}
