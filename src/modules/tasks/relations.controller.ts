import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UuidParam } from '../../common/http/params.js';
import { setLocation } from '../../common/http/resource-headers.js';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { CurrentMembership, MinimumRole } from '../tenants/minimum-role.decorator.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import { CreateRelationDto, RelationDto, TaskRelationsDto } from './dto/relation.dto.js';
import { RelationsService } from './relations.service.js';
import { ApiTaskRef, TaskRef } from './tasks.controller.js';

@ApiTags('relations')
@Controller('tenants/:tenantId/tasks/:taskRef/relations')
export class RelationsController {
  constructor(private readonly relations: RelationsService) {}

  /**
   * Relate the task to another task of the tenant (any project). `blocks` never closes a
   * cycle; a task is the duplicate of at most one task.
   */
  @Post()
  @MinimumRole('member')
  @ApiTaskRef()
  @ApiCreatedResponse({ description: 'The relation, created', type: RelationDto })
  @ApiOkResponse({ description: 'The same relation existed already: it, unchanged', type: RelationDto })
  @ApiProblems(400, 401, 409, 413, 415, 429)
  async createRelation(
    @CurrentMembership() membership: TenantMembership,
    @TaskRef() taskRef: string,
    @Body() body: CreateRelationDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RelationDto> {
    const { relation, created } = await this.relations.create(membership, taskRef, body);
    void reply.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    if (created) setLocation(reply, 'tenants', membership.tenantId, 'tasks', taskRef, 'relations', relation.id);
    return relation;
  }

  /** The task's relations, by how they read from it. */
  @Get()
  @MinimumRole('viewer')
  @ApiTaskRef()
  @ApiOkResponse({ description: "The task's relations", type: TaskRelationsDto })
  @ApiProblems(400, 401, 429)
  listRelations(
    @CurrentMembership() membership: TenantMembership,
    @TaskRef() taskRef: string,
  ): Promise<TaskRelationsDto> {
    return this.relations.list(membership, taskRef);
  }

  /** One relation of the task, as it reads from the task. */
  @Get(':relationId')
  @MinimumRole('viewer')
  @ApiTaskRef()
  @ApiOkResponse({ description: 'The relation', type: RelationDto })
  @ApiProblems(400, 401, 429)
  getRelation(
    @CurrentMembership() membership: TenantMembership,
    @TaskRef() taskRef: string,
    @UuidParam('relationId') relationId: string,
  ): Promise<RelationDto> {
    return this.relations.get(membership, taskRef, relationId);
  }

  /** Remove a relation (from either of its tasks). */
  @Delete(':relationId')
  @MinimumRole('member')
  @ApiTaskRef()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Relation removed' })
  @ApiProblems(400, 401, 429)
  deleteRelation(
    @CurrentMembership() membership: TenantMembership,
    @TaskRef() taskRef: string,
    @UuidParam('relationId') relationId: string,
  ): Promise<void> {
    return this.relations.delete(membership, taskRef, relationId);
  }
}
