import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser } from '../../common/auth/decorators.js';
import { setLocation } from '../../common/http/resource-headers.js';
import { Idempotent } from '../../common/idempotency/idempotent.decorator.js';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { CreateTenantDto, TenantDto, TenantPageDto, UpdateTenantDto } from './dto/tenant.dto.js';
import { CurrentMembership, MinimumRole } from './minimum-role.decorator.js';
import type { TenantMembership } from './tenant-membership.js';
import { TenantsService } from './tenants.service.js';

@ApiTags('tenants')
@Controller('tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  /** Create a tenant; the caller becomes its owner. */
  @Post()
  @Idempotent()
  @ApiCreatedResponse({ description: 'The created tenant, with the caller as owner', type: TenantDto })
  @ApiProblems(400, 401, 409, 413, 415, 429)
  async createTenant(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: CreateTenantDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TenantDto> {
    const tenant = await this.tenants.create(caller, body);
    setLocation(reply, 'tenants', tenant.id);
    return tenant;
  }

  /** The caller's tenants, with the caller's role in each. */
  @Get()
  @ApiOkResponse({ description: 'A page of tenants', type: TenantPageDto })
  @ApiProblems(400, 401, 429)
  listTenants(@CurrentUser() caller: AuthenticatedUser, @Query() page: PageQueryDto): Promise<TenantPageDto> {
    return this.tenants.listForUser(caller, page);
  }

  /** A tenant the caller belongs to. */
  @Get(':tenantId')
  @MinimumRole('viewer')
  @ApiOkResponse({ description: 'The tenant', type: TenantDto })
  @ApiProblems(400, 401, 429)
  getTenant(@CurrentMembership() membership: TenantMembership): Promise<TenantDto> {
    return this.tenants.get(membership);
  }

  /** Rename a tenant or change its slug. */
  @Patch(':tenantId')
  @MinimumRole('admin')
  @ApiOkResponse({ description: 'The updated tenant', type: TenantDto })
  @ApiProblems(400, 401, 409, 413, 415, 429)
  updateTenant(@CurrentMembership() membership: TenantMembership, @Body() body: UpdateTenantDto): Promise<TenantDto> {
    return this.tenants.update(membership, body);
  }

  /** Delete a tenant and everything in it. */
  @Delete(':tenantId')
  @MinimumRole('owner')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Tenant deleted' })
  @ApiProblems(400, 401, 429)
  deleteTenant(@CurrentMembership() membership: TenantMembership): Promise<void> {
    return this.tenants.delete(membership);
  }
}
