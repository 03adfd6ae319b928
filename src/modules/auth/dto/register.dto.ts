import { PickType } from '@nestjs/swagger';
import { UserFieldsDto } from '../../users/dto/user-fields.dto.js';

export class RegisterDto extends PickType(UserFieldsDto, ['email', 'name', 'password'] as const) {}
