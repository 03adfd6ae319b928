import { PartialType, PickType } from '@nestjs/swagger';
import { UserFieldsDto } from './user-fields.dto.js';

export class UpdateProfileDto extends PartialType(PickType(UserFieldsDto, ['name'] as const)) {}
