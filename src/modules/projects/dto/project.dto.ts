import { ApiProperty, OmitType, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches } from 'class-validator';
import { PageOf } from '../../../common/pagination/page.dto.js';
import { PageQueryDto } from '../../../common/pagination/page-query.dto.js';
import { Optional, QueryBoolean, TextLength, Trim, UpperCase } from '../../../common/validation/decorators.js';
import type { Project } from '../entities/project.entity.js';

export class CreateProjectDto {
  /** @example "Website relaunch" */
  @Trim()
  @TextLength(1, 100)
  @IsString()
  name!: string;

  /**
   * Prefix of the project's task keys (`YEL-42`): 2–10 characters `A-Z0-9`, starting with
   * a letter, unique in the tenant. Upper-cased on input; it can never change.
   * @example YEL
   */
  @UpperCase()
  @Matches(/^[A-Z][A-Z0-9]{1,9}$/, { message: 'must be 2 to 10 letters or digits, starting with a letter' })
  @IsString()
  key!: string;

  /**
   * Markdown, up to 10 000 characters; null clears it.
   * @example "Everything for the new marketing site."
   */
  @IsOptional()
  @TextLength(0, 10_000)
  @IsString()
  description?: string | null;
}

export class UpdateProjectDto extends PartialType(OmitType(CreateProjectDto, ['key'] as const), {
  skipNullProperties: false,
}) {
  /** Archived projects are hidden from the project list and take no new tasks. */
  @Optional()
  @IsBoolean()
  archived?: boolean;
}

export class ProjectListQueryDto extends PageQueryDto {
  /** `true` lists the archived projects instead of the active ones. */
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  archived?: boolean = false;
}

export class ProjectDto {
  id!: string;
  /** @example YEL */
  key!: string;
  /** @example "Website relaunch" */
  name!: string;
  description!: string | null;
  archived!: boolean;
  /** Also sent as the `ETag`; `If-Match` on PATCH and DELETE compares with it. */
  version!: number;
  createdAt!: Date;
  updatedAt!: Date;

  static from(project: Project): ProjectDto {
    return {
      id: project.id,
      key: project.key,
      name: project.name,
      description: project.description,
      archived: project.archived,
      version: project.version,
      createdAt: project.createdAt,
      updatedAt: project.updatedAt,
    };
  }
}

export class ProjectDetailDto extends ProjectDto {
  /** The number of tasks in each workflow state of the project, by state key (in board order). */
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { backlog: 0, todo: 3, in_progress: 1, in_review: 0, done: 12, canceled: 0 },
  })
  taskCounts!: Record<string, number>;
}

export class ProjectPageDto extends PageOf(ProjectDto) {}
