import { Type } from 'class-transformer';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export class PageQueryDto {
  /** Page size. */
  @ApiPropertyOptional({ type: 'integer' }) // the plugin would say `number`, and 1.5 is a 400
  @IsOptional()
  @Type(() => Number)
  @Min(1)
  @Max(100) // MAX_PAGE_SIZE, spelt out so the Swagger plugin can read it
  @IsInt()
  limit?: number = DEFAULT_PAGE_SIZE;

  /** Opaque cursor: `nextCursor` of the previous page, with the same sort and filters. */
  @IsOptional()
  @MaxLength(2048)
  @IsString()
  cursor?: string;
}
