import { PartialType, PickType } from '@nestjs/swagger';
import { UserFieldsDto } from './user-fields.dto.js';

/** Fields may be left out, but not set to null: none of them is nullable. */
export class UpdateProfileDto extends PartialType(PickType(UserFieldsDto, ['name'] as const), {
  skipNullProperties: false,
}) {}
