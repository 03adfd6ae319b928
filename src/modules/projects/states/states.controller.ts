import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UuidParam } from '../../../common/http/params.js';
import { setLocation } from '../../../common/http/resource-headers.js';
import { ApiProblems } from '../../../common/openapi/api-problems.decorator.js';
import { CurrentMembership, MinimumRole } from '../../tenants/minimum-role.decorator.js';
import type { TenantMembership } from '../../tenants/tenant-membership.js';
import { CreateStateDto, DeleteStateQueryDto, StateDto, StateListDto, UpdateStateDto } from './dto/state.dto.js';
import { StatesService } from './states.service.js';

@ApiTags('states')
@Controller('tenants/:tenantId/projects/:projectId/states')
export class StatesController {
  constructor(private readonly states: StatesService) {}

  /** The project's workflow states, in board order. */
  @Get()
  @MinimumRole('viewer')
  @ApiOkResponse({ description: "The project's states", type: StateListDto })
  @ApiProblems(400, 401, 429)
  listStates(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('projectId') projectId: string,
  ): Promise<StateListDto> {
    return this.states.list(membership, projectId);
  }

  /** Add a workflow state (a board column); its key is what tasks carry as `status`. */
  @Post()
  @MinimumRole('admin')
  @ApiCreatedResponse({ description: 'The created state', type: StateDto })
  @ApiProblems(400, 401, 409, 413, 415, 429)
  async createState(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('projectId') projectId: string,
    @Body() body: CreateStateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StateDto> {
    const state = await this.states.create(membership, projectId, body);
    setLocation(reply, 'tenants', membership.tenantId, 'projects', projectId, 'states', state.id);
    return state;
  }

  /** Rename, recolor or move a state, or make it the default. Its key and category never change. */
  @Patch(':stateId')
  @MinimumRole('admin')
  @ApiOkResponse({ description: 'The updated state', type: StateDto })
  @ApiProblems(400, 401, 413, 415, 429)
  updateState(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('projectId') projectId: string,
    @UuidParam('stateId') stateId: string,
    @Body() body: UpdateStateDto,
  ): Promise<StateDto> {
    return this.states.update(membership, projectId, stateId, body);
  }

  /**
   * Delete a state. Its tasks move to `moveTo` in the same change (with their activity);
   * without it, a state with tasks stays (409, with `taskCount`). The default state and the
   * last `unstarted` or `completed` state always stay.
   */
  @Delete(':stateId')
  @MinimumRole('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'State deleted' })
  @ApiProblems(400, 401, 409, 429)
  deleteState(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('projectId') projectId: string,
    @UuidParam('stateId') stateId: string,
    @Query() query: DeleteStateQueryDto,
  ): Promise<void> {
    return this.states.delete(membership, projectId, stateId, query.moveTo);
  }
}
