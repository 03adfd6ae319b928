import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UuidParam } from '../../common/http/params.js';
import { IfMatch, setETag, setLocation } from '../../common/http/resource-headers.js';
import { Idempotent } from '../../common/idempotency/idempotent.decorator.js';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { ApiIfMatch, ETAG_HEADER } from '../../common/openapi/versioned.decorator.js';
import { CurrentMembership, MinimumRole } from '../tenants/minimum-role.decorator.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import {
  CreateProjectDto,
  ProjectDetailDto,
  ProjectDto,
  ProjectListQueryDto,
  ProjectPageDto,
  UpdateProjectDto,
} from './dto/project.dto.js';
import { ProjectsService } from './projects.service.js';

@ApiTags('projects')
@Controller('tenants/:tenantId/projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  /** Create a project. Its key prefixes its task keys (`YEL-1`) and can never change. */
  @Post()
  @Idempotent()
  @MinimumRole('admin')
  @ApiCreatedResponse({ description: 'The created project', type: ProjectDto, headers: ETAG_HEADER })
  @ApiProblems(400, 401, 409, 413, 415, 429)
  async createProject(
    @CurrentMembership() membership: TenantMembership,
    @Body() body: CreateProjectDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProjectDto> {
    const project = await this.projects.create(membership, body);
    setLocation(reply, 'tenants', membership.tenantId, 'projects', project.id);
    setETag(reply, project.version);
    return project;
  }

  /** Active projects by name; `archived=true` lists the archived ones. */
  @Get()
  @MinimumRole('viewer')
  @ApiOkResponse({ description: 'A page of projects', type: ProjectPageDto })
  @ApiProblems(400, 401, 429)
  listProjects(
    @CurrentMembership() membership: TenantMembership,
    @Query() query: ProjectListQueryDto,
  ): Promise<ProjectPageDto> {
    return this.projects.list(membership, query);
  }

  /** One project, with the number of its tasks in each status. */
  @Get(':projectId')
  @MinimumRole('viewer')
  @ApiOkResponse({ description: 'The project, with its task counts', type: ProjectDetailDto, headers: ETAG_HEADER })
  @ApiProblems(400, 401, 429)
  async getProject(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('projectId') projectId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProjectDetailDto> {
    const project = await this.projects.get(membership, projectId);
    setETag(reply, project.version);
    return project;
  }

  /** Rename, describe, archive or unarchive a project. The key is immutable. */
  @Patch(':projectId')
  @MinimumRole('admin')
  @ApiIfMatch()
  @ApiOkResponse({ description: 'The updated project', type: ProjectDto, headers: ETAG_HEADER })
  @ApiProblems(400, 401, 413, 415, 429)
  async updateProject(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('projectId') projectId: string,
    @Body() body: UpdateProjectDto,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProjectDto> {
    const project = await this.projects.update(membership, projectId, body, ifMatch);
    setETag(reply, project.version);
    return project;
  }

  /** Delete a project with all its tasks, comments and history. */
  @Delete(':projectId')
  @MinimumRole('admin')
  @ApiIfMatch()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Project deleted' })
  @ApiProblems(400, 401, 429)
  deleteProject(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('projectId') projectId: string,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<void> {
    return this.projects.delete(membership, projectId, ifMatch);
  }
}
