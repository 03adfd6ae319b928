import { IsString, Length, Matches } from 'class-validator';
import { PartialType } from '@nestjs/swagger';
import { Optional, TextLength, Trim } from '../../../common/validation/decorators.js';
import { PageOf } from '../../../common/pagination/page.dto.js';
import type { Tenant } from '../entities/tenant.entity.js';
import type { Role } from '../roles.js';

export class CreateTenantDto {
  /** @example Acme */
  @Trim()
  @TextLength(1, 100)
  @IsString()
  name!: string;

  /**
   * 3–40 characters `a-z0-9-`, unique across Yello. Derived from the name when absent.
   * @example acme
   */
  @Optional()
  // @Length may miscount non-ASCII text, which @Matches refuses anyway.
  @Matches(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be lower-case letters, digits and single dashes' })
  @Length(3, 40)
  @IsString()
  slug?: string;
}

/** Fields may be left out, but not set to null: none of them is nullable. */
export class UpdateTenantDto extends PartialType(CreateTenantDto, { skipNullProperties: false }) {}

export class TenantDto {
  id!: string;
  name!: string;
  slug!: string;
  createdAt!: Date;
  updatedAt!: Date;
  /** The caller's role in this tenant. */
  role!: Role;

  static from(tenant: Tenant, role: Role): TenantDto {
    return {
      id: tenant.id,
      name: tenant.name,
      slug: tenant.slug,
      createdAt: tenant.createdAt,
      updatedAt: tenant.updatedAt,
      role,
    };
  }
}

export class TenantPageDto extends PageOf(TenantDto) {}
