import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UuidParam } from '../../common/http/params.js';
import { setLocation } from '../../common/http/resource-headers.js';
import { Idempotent } from '../../common/idempotency/idempotent.decorator.js';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { CurrentMembership, MinimumRole } from '../tenants/minimum-role.decorator.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import { CreateLabelDto, LabelDto, LabelPageDto, UpdateLabelDto } from './dto/label.dto.js';
import { LabelsService } from './labels.service.js';

@ApiTags('labels')
@Controller('tenants/:tenantId/labels')
export class LabelsController {
  constructor(private readonly labels: LabelsService) {}

  /** Create a label for the tenant's tasks. */
  @Post()
  @Idempotent()
  @MinimumRole('member')
  @ApiCreatedResponse({ description: 'The created label', type: LabelDto })
  @ApiProblems(400, 401, 409, 413, 415, 429)
  async createLabel(
    @CurrentMembership() membership: TenantMembership,
    @Body() body: CreateLabelDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LabelDto> {
    const label = await this.labels.create(membership, body);
    setLocation(reply, 'tenants', membership.tenantId, 'labels', label.id);
    return label;
  }

  /** The tenant's labels by name. */
  @Get()
  @MinimumRole('viewer')
  @ApiOkResponse({ description: 'A page of labels', type: LabelPageDto })
  @ApiProblems(400, 401, 429)
  listLabels(@CurrentMembership() membership: TenantMembership, @Query() query: PageQueryDto): Promise<LabelPageDto> {
    return this.labels.list(membership, query);
  }

  /** One label. */
  @Get(':labelId')
  @MinimumRole('viewer')
  @ApiOkResponse({ description: 'The label', type: LabelDto })
  @ApiProblems(400, 401, 429)
  getLabel(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('labelId') labelId: string,
  ): Promise<LabelDto> {
    return this.labels.get(membership, labelId);
  }

  /** Rename or recolor a label. */
  @Patch(':labelId')
  @MinimumRole('member')
  @ApiOkResponse({ description: 'The updated label', type: LabelDto })
  @ApiProblems(400, 401, 409, 413, 415, 429)
  updateLabel(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('labelId') labelId: string,
    @Body() body: UpdateLabelDto,
  ): Promise<LabelDto> {
    return this.labels.update(membership, labelId, body);
  }

  /** Delete a label; it comes off every task that carries it. */
  @Delete(':labelId')
  @MinimumRole('member')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Label deleted' })
  @ApiProblems(400, 401, 429)
  deleteLabel(@CurrentMembership() membership: TenantMembership, @UuidParam('labelId') labelId: string): Promise<void> {
    return this.labels.delete(membership, labelId);
  }
}
