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
import { CommentsService } from './comments.service.js';
import { CommentBodyDto, CommentDto, CommentPageDto } from './dto/comment.dto.js';
import { ApiTaskRef, TaskRef } from './tasks.controller.js';

@ApiTags('comments')
@Controller('tenants/:tenantId/tasks/:taskRef/comments')
export class CommentsController {
  constructor(private readonly comments: CommentsService) {}

  /** Comment on a task. */
  @Post()
  @Idempotent()
  @MinimumRole('member')
  @ApiTaskRef()
  @ApiCreatedResponse({ description: 'The created comment', type: CommentDto })
  @ApiProblems(400, 401, 413, 415, 429)
  async createComment(
    @CurrentMembership() membership: TenantMembership,
    @TaskRef() taskRef: string,
    @Body() body: CommentBodyDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommentDto> {
    const comment = await this.comments.create(membership, taskRef, body.body);
    setLocation(reply, 'tenants', membership.tenantId, 'tasks', taskRef, 'comments', comment.id);
    return comment;
  }

  /** The task's comments, oldest first. */
  @Get()
  @MinimumRole('viewer')
  @ApiTaskRef()
  @ApiOkResponse({ description: 'A page of comments', type: CommentPageDto })
  @ApiProblems(400, 401, 429)
  listComments(
    @CurrentMembership() membership: TenantMembership,
    @TaskRef() taskRef: string,
    @Query() query: PageQueryDto,
  ): Promise<CommentPageDto> {
    return this.comments.list(membership, taskRef, query);
  }

  /** One comment. */
  @Get(':commentId')
  @MinimumRole('viewer')
  @ApiTaskRef()
  @ApiOkResponse({ description: 'The comment', type: CommentDto })
  @ApiProblems(400, 401, 429)
  getComment(
    @CurrentMembership() membership: TenantMembership,
    @TaskRef() taskRef: string,
    @UuidParam('commentId') commentId: string,
  ): Promise<CommentDto> {
    return this.comments.get(membership, taskRef, commentId);
  }

  /** Edit your own comment. */
  @Patch(':commentId')
  @MinimumRole('member')
  @ApiTaskRef()
  @ApiOkResponse({ description: 'The edited comment', type: CommentDto })
  @ApiProblems(400, 401, 413, 415, 429)
  updateComment(
    @CurrentMembership() membership: TenantMembership,
    @TaskRef() taskRef: string,
    @UuidParam('commentId') commentId: string,
    @Body() body: CommentBodyDto,
  ): Promise<CommentDto> {
    return this.comments.update(membership, taskRef, commentId, body.body);
  }

  /** Delete your own comment; admins and owners delete any. */
  @Delete(':commentId')
  @MinimumRole('member')
  @ApiTaskRef()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Comment deleted' })
  @ApiProblems(400, 401, 429)
  deleteComment(
    @CurrentMembership() membership: TenantMembership,
    @TaskRef() taskRef: string,
    @UuidParam('commentId') commentId: string,
  ): Promise<void> {
    return this.comments.delete(membership, taskRef, commentId);
  }
}
