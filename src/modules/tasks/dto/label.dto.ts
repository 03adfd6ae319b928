import { PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Matches } from 'class-validator';
import { PageOf } from '../../../common/pagination/page.dto.js';
import { TextLength, Trim } from '../../../common/validation/decorators.js';
import type { Label } from '../entities/label.entity.js';

export class CreateLabelDto {
  /** Unique in the tenant, case-insensitively. @example Bug */
  @Trim()
  @TextLength(1, 50)
  @IsString()
  name!: string;

  /** `#rrggbb`; stored lower-case. @example #d73a4a */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @Matches(/^#[0-9a-f]{6}$/, { message: 'must be a color #rrggbb' })
  @IsString()
  color!: string;
}

export class UpdateLabelDto extends PartialType(CreateLabelDto, { skipNullProperties: false }) {}

export class LabelDto {
  id!: string;
  /** @example Bug */
  name!: string;
  /** @example #d73a4a */
  color!: string;
  createdAt!: Date;
  updatedAt!: Date;

  static from(label: Label): LabelDto {
    return {
      id: label.id,
      name: label.name,
      color: label.color,
      createdAt: label.createdAt,
      updatedAt: label.updatedAt,
    };
  }
}

export class LabelPageDto extends PageOf(LabelDto) {}
