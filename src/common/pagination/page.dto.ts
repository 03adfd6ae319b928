import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Base of a `{ data, nextCursor }` page DTO; extend it to give the schema a name. */
export function PageOf<T>(itemType: Type<T>) {
  class PageDto implements Page<T> {
    @ApiProperty({ type: itemType, isArray: true })
    data!: T[];

    @ApiProperty({ type: String, nullable: true, description: 'Cursor of the next page; null on the last page' })
    nextCursor!: string | null;
  }
  return PageDto;
}
