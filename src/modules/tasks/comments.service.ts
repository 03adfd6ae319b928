import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Page } from '../../common/pagination/page.dto.js';
import type { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { PaginationService } from '../../common/pagination/pagination.service.js';
import { Transactions } from '../../database/transactions.js';
import { EventLog } from '../events/event-log.js';
import type { EventType } from '../events/event-types.js';
import { Tenant } from '../tenants/entities/tenant.entity.js';
import { hasAtLeast } from '../tenants/roles.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import { User } from '../users/entities/user.entity.js';
import { recordActivity, type ActivitySubject } from './activity.js';
import { CommentDto } from './dto/comment.dto.js';
import { Comment } from './entities/comment.entity.js';
import { Task } from './entities/task.entity.js';
import { CommentNotFound, NotCommentAuthor, TaskNotFound } from './tasks.errors.js';
import { TasksService } from './tasks.service.js';

@Injectable()
export class CommentsService {
  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly pagination: PaginationService,
    private readonly tasks: TasksService,
    private readonly events: EventLog,
  ) {}

  async create(caller: TenantMembership, taskRef: string, body: string): Promise<CommentDto> {
    const task = await this.tasks.get(caller, taskRef);
    return this.transactions.run(async (em) => {
      // Held until the comment is written: a concurrent delete of the task waits, or came first.
      if (!(await em.getRepository(Task).hold(caller.tenantId, task.id))) throw new TaskNotFound();
      const comment = em.create(Comment, {
        tenant: em.getReference(Tenant, caller.tenantId),
        task: em.getReference(Task, task.id),
        author: em.getReference(User, caller.userId),
        body,
      });
      recordActivity(em, subjectOf(caller, task), 'comment_added', { field: 'comment', to: comment.id });
      await em.flush();
      return this.recorded(caller, 'comment.created', task, CommentDto.from(comment));
    });
  }

  /** A task's comments, oldest first. */
  async list(caller: TenantMembership, taskRef: string, query: PageQueryDto): Promise<Page<CommentDto>> {
    const task = await this.tasks.get(caller, taskRef);
    return this.pagination.page(
      query,
      { scope: caller.tenantId, list: `comments:task=${task.id}`, sort: 'createdAt' },
      (window) =>
        this.em.findByCursor(Comment, {
          ...window,
          where: { task: task.id },
          orderBy: { createdAt: 'asc', id: 'asc' },
        }),
      (comment) => CommentDto.from(comment),
    );
  }

  async get(caller: TenantMembership, taskRef: string, commentId: string): Promise<CommentDto> {
    const task = await this.tasks.get(caller, taskRef);
    return CommentDto.from(await this.load(this.em, task.id, commentId));
  }

  /** Only the author edits a comment. */
  async update(caller: TenantMembership, taskRef: string, commentId: string, body: string): Promise<CommentDto> {
    const task = await this.tasks.get(caller, taskRef);
    return this.transactions.run(async (em) => {
      const comment = await this.load(em, task.id, commentId);
      if (comment.author?.id !== caller.userId) throw new NotCommentAuthor('edit');
      if (comment.body === body) return CommentDto.from(comment);
      comment.body = body;
      recordActivity(em, subjectOf(caller, task), 'comment_edited', { field: 'comment', to: comment.id });
      await em.flush();
      return this.recorded(caller, 'comment.updated', task, CommentDto.from(comment));
    });
  }

  /** The author, or an admin or owner, deletes a comment. */
  async delete(caller: TenantMembership, taskRef: string, commentId: string): Promise<void> {
    const task = await this.tasks.get(caller, taskRef);
    await this.transactions.run(async (em) => {
      const comment = await this.load(em, task.id, commentId);
      if (comment.author?.id !== caller.userId && !hasAtLeast(caller.role, 'admin'))
        throw new NotCommentAuthor('delete');
      // Conditional: of two concurrent deletes, one wins and records it.
      if ((await em.nativeDelete(Comment, { id: comment.id })) === 0) throw new CommentNotFound();
      recordActivity(em, subjectOf(caller, task), 'comment_deleted', { field: 'comment', from: comment.id });
      await em.flush();
      this.recorded(caller, 'comment.deleted', task, CommentDto.from(comment));
    });
  }

  /** Records the event of a comment's change, naming its task; returns the comment. */
  private recorded(
    caller: TenantMembership,
    type: EventType,
    task: { id: string; key: string; projectId: string },
    comment: CommentDto,
  ): CommentDto {
    this.events.record(caller, {
      type,
      projectId: task.projectId,
      data: { comment, task: { id: task.id, key: task.key } },
    });
    return comment;
  }

  private async load(em: EntityManager, taskId: string, commentId: string): Promise<Comment> {
    const comment = await em.findOne(Comment, { id: commentId, task: taskId });
    if (!comment) throw new CommentNotFound();
    return comment;
  }
}

function subjectOf(caller: TenantMembership, task: { id: string; projectId: string }): ActivitySubject {
  return { tenantId: caller.tenantId, projectId: task.projectId, taskId: task.id, actorId: caller.userId };
}
