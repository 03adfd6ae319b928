import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { ApiTokenPrincipal } from '../../common/auth/authenticated-user.js';
import { ApiTokenOnly, CurrentApiToken, SessionOnly } from '../../common/auth/decorators.js';
import { UuidParam } from '../../common/http/params.js';
import { setLocation } from '../../common/http/resource-headers.js';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { CurrentMembership, MinimumRole } from '../tenants/minimum-role.decorator.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import { ApiTokensService } from './api-tokens.service.js';
import {
  ApiTokenListQueryDto,
  ApiTokenPageDto,
  ApiTokenSelfDto,
  CreateApiTokenDto,
  CreatedApiTokenDto,
} from './dto/api-token.dto.js';

@ApiTags('api-tokens')
@Controller('tenants/:tenantId/api-tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  /**
   * Create an API token for scripts and integrations: it acts for you in this tenant,
   * within its scopes and your role. The secret is in this response only.
   */
  @Post()
  @MinimumRole('member')
  @SessionOnly()
  @ApiCreatedResponse({ description: 'The token, with its secret', type: CreatedApiTokenDto })
  @ApiProblems(400, 401, 413, 415, 429)
  async createApiToken(
    @CurrentMembership() membership: TenantMembership,
    @Body() body: CreateApiTokenDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedApiTokenDto> {
    const token = await this.tokens.create(membership, body);
    setLocation(reply, 'tenants', membership.tenantId, 'api-tokens', token.id);
    return token;
  }

  /** Your tokens, newest first (admins and owners: everyone's, or one member's with `userId`). Never the secrets. */
  @Get()
  @MinimumRole('member')
  @SessionOnly()
  @ApiOkResponse({ description: 'A page of API tokens', type: ApiTokenPageDto })
  @ApiProblems(400, 401, 429)
  listApiTokens(
    @CurrentMembership() membership: TenantMembership,
    @Query() query: ApiTokenListQueryDto,
  ): Promise<ApiTokenPageDto> {
    return this.tokens.list(membership, query);
  }

  /** Revoke a token (your own, or any as an admin): it stops working at once, on every instance. */
  @Delete(':tokenId')
  @MinimumRole('viewer')
  @SessionOnly()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Token revoked' })
  @ApiProblems(400, 401, 429)
  revokeApiToken(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('tokenId') tokenId: string,
  ): Promise<void> {
    return this.tokens.revoke(membership, tokenId);
  }
}

@ApiTags('api-tokens')
@Controller('api-tokens')
export class ApiTokenSelfController {
  /** The API token making this request: its tenant, scopes and expiry. */
  @Get('self')
  @ApiTokenOnly()
  @ApiOkResponse({ description: 'The calling token', type: ApiTokenSelfDto })
  @ApiProblems(401, 403, 429)
  getApiTokenSelf(@CurrentApiToken() token: ApiTokenPrincipal): ApiTokenSelfDto {
    return ApiTokenSelfDto.from(token);
  }
}
