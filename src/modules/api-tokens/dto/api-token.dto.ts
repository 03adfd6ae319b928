import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsISO8601, IsString, IsUUID } from 'class-validator';
import { API_TOKEN_SCOPES, type ApiTokenScope } from '../../../common/auth/api-token-scopes.js';
import type { ApiTokenPrincipal } from '../../../common/auth/authenticated-user.js';
import { PageOf } from '../../../common/pagination/page.dto.js';
import { PageQueryDto } from '../../../common/pagination/page-query.dto.js';
import { Optional, TextLength, Trim } from '../../../common/validation/decorators.js';
import type { ApiToken } from '../entities/api-token.entity.js';

export class CreateApiTokenDto {
  /**
   * What the token is for, to recognise it in the list.
   * @example "CI: file a task when the build breaks"
   */
  @Trim()
  @TextLength(1, 100)
  @IsString()
  name!: string;

  /**
   * `read` (every GET of the tenant), `write` (projects, tasks, comments, labels),
   * `admin` (members, invitations, the tenant). `write` implies `read`, `admin` both.
   * The token never exceeds its creator's current role.
   * @example ["write"]
   */
  @ApiProperty({ enum: API_TOKEN_SCOPES, isArray: true, minItems: 1, maxItems: 3, uniqueItems: true })
  @IsIn(API_TOKEN_SCOPES, { each: true })
  @ArrayUnique({ message: 'must not repeat a scope' })
  @ArrayMaxSize(3)
  @ArrayMinSize(1)
  @IsArray()
  scopes!: ApiTokenScope[];

  /** When it stops working: in the future, at most 366 days away. Default: in 90 days. */
  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2027-03-01T00:00:00Z' })
  @Optional()
  @IsISO8601({ strict: true, strictSeparator: true })
  expiresAt?: string;
}

export class ApiTokenDto {
  id!: string;
  /** @example "CI: file a task when the build breaks" */
  name!: string;
  @ApiProperty({ enum: API_TOKEN_SCOPES, isArray: true })
  scopes!: ApiTokenScope[];
  /**
   * The first 8 characters of the token, to tell tokens apart.
   * @example yel_3kQ9
   */
  prefix!: string;
  expiresAt!: Date;
  createdAt!: Date;
  /** Updated at most once a minute; null until first used. */
  lastUsedAt!: Date | null;
  /** The client address of that use. */
  lastUsedIp!: string | null;
  /** The creator: the token acts for them, never beyond their current role. */
  userId!: string;

  static from(token: ApiToken): ApiTokenDto {
    return {
      id: token.id,
      name: token.name,
      scopes: token.scopes,
      prefix: token.prefix,
      expiresAt: token.expiresAt,
      createdAt: token.createdAt,
      lastUsedAt: token.lastUsedAt,
      lastUsedIp: token.lastUsedIp,
      userId: token.user.id,
    };
  }
}

export class CreatedApiTokenDto extends ApiTokenDto {
  /**
   * The secret, shown only in this response: send it as `Authorization: Bearer <token>`.
   * @example yel_3kQ9wZr7TqLx0bN2cV5mA8sD1fG4hJ6kL9pO3iU7_1aB2cD
   */
  token!: string;

  static withSecret(token: ApiToken, secret: string): CreatedApiTokenDto {
    return Object.assign(ApiTokenDto.from(token), { token: secret });
  }
}

export class ApiTokenPageDto extends PageOf(ApiTokenDto) {}

export class ApiTokenListQueryDto extends PageQueryDto {
  /** Tokens of this member only (admins and owners; others always see their own). */
  @Optional()
  @IsUUID('all', { message: 'must be a UUID' })
  userId?: string;
}

/** The token making the request. */
export class ApiTokenSelfDto extends PickType(ApiTokenDto, ['id', 'scopes', 'expiresAt', 'userId'] as const) {
  tenantId!: string;

  static from(token: ApiTokenPrincipal): ApiTokenSelfDto {
    return {
      id: token.tokenId,
      tenantId: token.tenantId,
      scopes: [...token.scopes],
      expiresAt: token.expiresAt,
      userId: token.userId,
    };
  }
}
