import { Controller, Get, Query } from '@nestjs/common';
import { IntersectionType, PartialType, PickType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { acceptedQueryParameters } from '../../src/common/http/query-parameters.guard.js';
import { PageQueryDto } from '../../src/common/pagination/page-query.dto.js';

class TaskFiltersDto {
  @IsOptional()
  @IsString()
  status?: string;

  @IsString()
  q!: string;

  @IsOptional()
  @IsIn(['createdAt', '-createdAt'])
  sort?: string;
}

class TaskListQueryDto extends IntersectionType(PickType(TaskFiltersDto, ['status', 'q'] as const), PageQueryDto) {}
class OptionalFiltersDto extends PartialType(TaskFiltersDto) {}
class ExtendedPageQueryDto extends PageQueryDto {
  @IsOptional()
  @IsString()
  archived?: string;
}

// Handlers are never called: only their parameter decorators matter here.
@Controller('examples')
class ExampleController {
  @Get('none')
  none(): void {}

  @Get('page')
  page(@Query() _page: PageQueryDto): void {}

  @Get('mapped')
  mapped(@Query() _query: TaskListQueryDto): void {}

  @Get('partial')
  partial(@Query() _query: OptionalFiltersDto): void {}

  @Get('extended')
  extended(@Query() _query: ExtendedPageQueryDto): void {}

  @Get('named')
  named(@Query('projectId') _projectId: string, @Query() _page: PageQueryDto): void {}

  @Get('untyped')
  untyped(@Query() _query: Record<string, string>): void {}
}

const accepted = (handler: keyof ExampleController) => [...acceptedQueryParameters(ExampleController, handler)];

describe('acceptedQueryParameters', () => {
  it('is empty for a route without @Query()', () => {
    expect(accepted('none')).toEqual([]);
  });

  it('takes the validated properties of a query DTO, in declaration order', () => {
    expect(accepted('page')).toEqual(['limit', 'cursor']);
  });

  it('includes the properties of mapped types and of parent classes', () => {
    // Compared as sets: the order across classes is class-validator's business.
    expect(new Set(accepted('mapped'))).toEqual(new Set(['status', 'q', 'limit', 'cursor']));
    expect(new Set(accepted('partial'))).toEqual(new Set(['status', 'q', 'sort']));
    expect(new Set(accepted('extended'))).toEqual(new Set(['limit', 'cursor', 'archived']));
  });

  it('adds @Query(name) parameters, in parameter order', () => {
    expect(accepted('named')).toEqual(['projectId', 'limit', 'cursor']);
  });

  it('refuses a whole-query parameter without a validated DTO', () => {
    expect(() => accepted('untyped')).toThrow('ExampleController.untyped: @Query() needs a DTO class');
  });
});
