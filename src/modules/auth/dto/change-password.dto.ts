import { IsString, Length, MaxLength } from 'class-validator';

export class ChangePasswordDto {
  @MaxLength(1024)
  @IsString()
  currentPassword!: string;

  /** 8 to 128 characters; common passwords and the email itself are refused. */
  @Length(8, 128)
  @IsString()
  newPassword!: string;
}
