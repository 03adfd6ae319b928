import { IsString, Length, MaxLength } from 'class-validator';

export class ChangePasswordDto {
  /** @example Plum-Orbit-Cascade-92 */
  @MaxLength(1024)
  @IsString()
  currentPassword!: string;

  /**
   * 8 to 128 characters; common passwords and the email itself are refused.
   * @example Quartz-Meadow-Lantern-57
   */
  @Length(8, 128)
  @IsString()
  newPassword!: string;
}
