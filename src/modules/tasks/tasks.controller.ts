import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiParam,
  ApiTags,
  getSchemaPath,
  type ExamplesObject,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UuidParam } from '../../common/http/params.js';
import { IfMatch, setETag, setLocation } from '../../common/http/resource-headers.js';
import { Idempotent } from '../../common/idempotency/idempotent.decorator.js';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { ApiIfMatch, ETAG_HEADER } from '../../common/openapi/versioned.decorator.js';
import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { CurrentMembership, MinimumRole } from '../tenants/minimum-role.decorator.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import { BulkChangesService } from './bulk-changes.service.js';
import { ActivityPageDto } from './dto/activity.dto.js';
import { BulkTaskChangeDto, BulkTaskChangeResultDto } from './dto/bulk-change.dto.js';
import {
  CreateTaskDto,
  TaskDto,
  TaskListQueryDto,
  TaskPageDto,
  TenantTaskListQueryDto,
  UpdateTaskDto,
} from './dto/task.dto.js';
import { TASK_REF_PATTERN } from './task-ref.js';
import { TasksService } from './tasks.service.js';

/** The `{taskRef}` path parameter: a task's UUID or its key. */
export const TaskRef = (): ParameterDecorator => Param('taskRef');
export const ApiTaskRef = (): MethodDecorator =>
  applyDecorators(
    ApiParam({
      name: 'taskRef',
      description:
        'The task: its id (a UUID) or its key, the project key, a dash and the task number (`YEL-42`, any case)',
      schema: { type: 'string', pattern: TASK_REF_PATTERN, example: 'YEL-42' },
    }),
  );

/** Request bodies a newcomer can send as they are (the first one is Swagger UI's default). */
const CREATE_TASK_EXAMPLES: ExamplesObject = {
  title: { summary: 'A title is enough', value: { title: 'Draft the launch announcement' } },
  detailed: {
    summary: 'With details',
    value: {
      title: 'Draft the launch announcement',
      description: 'Cover the **three** headline features.',
      priority: 'high',
      dueDate: '2026-12-24',
    },
  },
};
const UPDATE_TASK_EXAMPLES: ExamplesObject = {
  status: { summary: 'Move it to another column', value: { status: 'in_progress' } },
  plan: { summary: 'Reprioritise and reschedule', value: { priority: 'urgent', dueDate: '2027-01-15' } },
  reorder: { summary: 'Put it at the top of its column', value: { moveTo: 'top' } },
};

@ApiTags('tasks')
@Controller('tenants/:tenantId/projects/:projectId/tasks')
export class ProjectTasksController {
  constructor(private readonly tasks: TasksService) {}

  /** Create a task in a project; it gets the project's next key (`YEL-43`) and goes to the bottom of its column. */
  @Post()
  @Idempotent()
  @MinimumRole('member')
  @ApiExtraModels(CreateTaskDto)
  @ApiBody({ schema: { $ref: getSchemaPath(CreateTaskDto) }, examples: CREATE_TASK_EXAMPLES })
  @ApiCreatedResponse({ description: 'The created task', type: TaskDto, headers: ETAG_HEADER })
  @ApiProblems(400, 401, 409, 413, 415, 429)
  async createTask(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('projectId') projectId: string,
    @Body() body: CreateTaskDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto> {
    const task = await this.tasks.create(membership, projectId, body);
    setLocation(reply, 'tenants', membership.tenantId, 'tasks', task.key);
    setETag(reply, task.version);
    return task;
  }

  /** The project's tasks, filtered and sorted (default: newest first). */
  @Get()
  @MinimumRole('viewer')
  @ApiOkResponse({ description: 'A page of tasks', type: TaskPageDto })
  @ApiProblems(400, 401, 429)
  listProjectTasks(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('projectId') projectId: string,
    @Query() query: TaskListQueryDto,
  ): Promise<TaskPageDto> {
    return this.tasks.listInProject(membership, projectId, query);
  }
}

@ApiTags('tasks')
@Controller('tenants/:tenantId/tasks')
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly bulkChanges: BulkChangesService,
  ) {}

  /**
   * Change up to 100 tasks at once: the fields of `set`, labels added and removed; nothing
   * else changes. Each changed task gets its activity, its event and a new version (no
   * If-Match). `atomic` (default): all or nothing, a failure is one problem naming the task
   * in `errors`; `atomic: false`: each task on its own, its result says how it went.
   */
  @Post('bulk')
  @HttpCode(HttpStatus.OK)
  @Idempotent()
  @MinimumRole('member')
  @ApiOkResponse({ description: 'How each task went, in the order sent', type: BulkTaskChangeResultDto })
  @ApiProblems(400, 401, 404, 409, 413, 415, 422, 429)
  changeTasksInBulk(
    @CurrentMembership() membership: TenantMembership,
    @Body() body: BulkTaskChangeDto,
  ): Promise<BulkTaskChangeResultDto> {
    return this.bulkChanges.apply(membership, body);
  }

  /** Tasks across all projects of the tenant, with the same filters (plus `projectId`). */
  @Get()
  @MinimumRole('viewer')
  @ApiOkResponse({ description: 'A page of tasks', type: TaskPageDto })
  @ApiProblems(400, 401, 429)
  listTasks(
    @CurrentMembership() membership: TenantMembership,
    @Query() query: TenantTaskListQueryDto,
  ): Promise<TaskPageDto> {
    return this.tasks.list(membership, undefined, query);
  }

  /** One task, by id or key. */
  @Get(':taskRef')
  @MinimumRole('viewer')
  @ApiTaskRef()
  @ApiOkResponse({ description: 'The task', type: TaskDto, headers: ETAG_HEADER })
  @ApiProblems(400, 401, 429)
  async getTask(
    @CurrentMembership() membership: TenantMembership,
    @TaskRef() ref: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto> {
    const task = await this.tasks.get(membership, ref);
    setETag(reply, task.version);
    return task;
  }

  /**
   * Change a task: any field, its labels (the whole set), its place (`moveBefore`,
   * `moveAfter`, `moveTo`). Every changed field is recorded in its activity.
   */
  @Patch(':taskRef')
  @MinimumRole('member')
  @ApiTaskRef()
  @ApiExtraModels(UpdateTaskDto)
  @ApiBody({ schema: { $ref: getSchemaPath(UpdateTaskDto) }, examples: UPDATE_TASK_EXAMPLES })
  @ApiIfMatch()
  @ApiOkResponse({ description: 'The updated task', type: TaskDto, headers: ETAG_HEADER })
  @ApiProblems(400, 401, 413, 415, 429)
  async updateTask(
    @CurrentMembership() membership: TenantMembership,
    @TaskRef() ref: string,
    @Body() body: UpdateTaskDto,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto> {
    const task = await this.tasks.update(membership, ref, body, ifMatch);
    setETag(reply, task.version);
    return task;
  }

  /** Delete a task (members: only tasks they reported). Its sub-tasks lose their parent. */
  @Delete(':taskRef')
  @MinimumRole('member')
  @ApiTaskRef()
  @ApiIfMatch()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Task deleted' })
  @ApiProblems(400, 401, 429)
  deleteTask(
    @CurrentMembership() membership: TenantMembership,
    @TaskRef() ref: string,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<void> {
    return this.tasks.delete(membership, ref, ifMatch);
  }

  /** The task's history, newest first. */
  @Get(':taskRef/activity')
  @MinimumRole('viewer')
  @ApiTaskRef()
  @ApiOkResponse({ description: 'A page of activity entries', type: ActivityPageDto })
  @ApiProblems(400, 401, 429)
  listTaskActivity(
    @CurrentMembership() membership: TenantMembership,
    @TaskRef() ref: string,
    @Query() query: PageQueryDto,
  ): Promise<ActivityPageDto> {
    return this.tasks.activity(membership, ref, query);
  }
}
