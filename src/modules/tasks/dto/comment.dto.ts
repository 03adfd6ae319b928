import { IsString } from 'class-validator';
import { PageOf } from '../../../common/pagination/page.dto.js';
import { TextLength } from '../../../common/validation/decorators.js';
import type { Comment } from '../entities/comment.entity.js';

export class CommentBodyDto {
  /** Markdown, 1–10 000 characters, stored as given (the API never renders it). @example "Looks good, **ship it**." */
  @TextLength(1, 10_000)
  @IsString()
  body!: string;
}

export class CommentDto {
  id!: string;
  /** Null once the author's account is gone. */
  authorId!: string | null;
  /** @example "Looks good, **ship it**." */
  body!: string;
  createdAt!: Date;
  updatedAt!: Date;

  static from(comment: Comment): CommentDto {
    return {
      id: comment.id,
      authorId: comment.author?.id ?? null,
      body: comment.body,
      createdAt: comment.createdAt,
      updatedAt: comment.updatedAt,
    };
  }
}

export class CommentPageDto extends PageOf(CommentDto) {}
