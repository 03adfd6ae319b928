import { IsString, MaxLength } from 'class-validator';
import { PickType } from '@nestjs/swagger';
import { UserFieldsDto } from '../../users/dto/user-fields.dto.js';

export class LoginDto extends PickType(UserFieldsDto, ['email'] as const) {
  /** @example Plum-Orbit-Cascade-92 */
  // Not the registration rules: a login never tells which rule a wrong password breaks.
  @MaxLength(1024)
  @IsString()
  password!: string;
}
