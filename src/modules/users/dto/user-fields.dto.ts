import { IsEmail, IsString, Length } from 'class-validator';
import { NormalizeEmail, TextLength, Trim } from '../../../common/validation/decorators.js';

// class-validator runs a property's decorators bottom-up and stops at the first failure:
// the type check sits lowest so a wrong type is reported as such.

/** The writable fields of a user, validated once; request DTOs pick from here. */
export class UserFieldsDto {
  /**
   * Case-insensitive; stored NFKC-normalised, trimmed, lower-cased, with a punycode domain. Invisible characters are refused.
   * @example ada@example.com
   */
  @IsEmail({}, { message: 'must be an email address' })
  @TextLength(0, 254)
  @NormalizeEmail()
  @IsString()
  email!: string;

  /**
   * Display name.
   * @example "Ada Lovelace"
   */
  @Trim()
  @TextLength(1, 100)
  @IsString()
  name!: string;

  /**
   * 8 to 128 characters; common passwords and the email itself are refused.
   * @example Plum-Orbit-Cascade-92
   */
  @Length(8, 128)
  @IsString()
  password!: string;
}
