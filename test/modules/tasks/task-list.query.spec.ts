import fc from 'fast-check';
import { sqlCompiler } from '../../../src/database/typed-sql.js';
import { STATE_CATEGORIES } from '../../../src/modules/projects/states/workflow.js';
import { TASK_SORTS } from '../../../src/modules/tasks/dto/task.dto.js';
import { TASK_PRIORITIES } from '../../../src/modules/tasks/task-fields.js';
import {
  compiledTaskPage,
  keysetLength,
  taskPageQuery,
  type TaskOrder,
  type TaskPage,
} from '../../../src/modules/tasks/task-list.query.js';

const db = sqlCompiler();
const TENANT = '0190a1b2-0000-7000-8000-000000000001';
const compile = (order: TaskOrder, after?: string[], filter = {}) =>
  taskPageQuery(db, TENANT, filter, order, { first: 20, after }).compile();

describe('task list SQL', () => {
  it('scopes every list to the tenant first and reads one row past the page', () => {
    const { sql, parameters } = compile({ field: 'createdAt', descending: true });
    expect(sql).toMatch(/ where \(?"t"."tenant_id" = \$1 /);
    expect(sql).toMatch(/limit \$\d+$/);
    expect(parameters[0]).toBe(TENANT);
    expect(parameters.at(-1)).toBe(21);
  });

  it('continues after a cursor by the whole sort key and the id, cast back from text', () => {
    const { sql, parameters } = compile({ field: 'position', descending: false }, ['a1', 'todo', 'a0', TENANT]);
    expect(sql).toContain(
      ', t.status, t.position, t.id) > ($2::text collate "C", $3::text, $4::text collate "C", $5::uuid)',
    );
    expect(sql).toContain('t.status asc, t.position asc, "t"."id" asc');
    expect(parameters.slice(1, 5)).toEqual(['a1', 'todo', 'a0', TENANT]);
  });

  it('orders the board by the position of each state in its project, then by the place in the column', () => {
    const { sql } = compile({ field: 'position', descending: false });
    expect(sql).toContain(
      'order by (select s.position from project_states s where s.tenant_id = t.tenant_id and s.project_id = t.project_id and s.key = t.status) asc',
    );
  });

  it('sorts missing due dates last both ways, as the due-date indexes do', () => {
    expect(compile({ field: 'dueDate', descending: false }).sql).toContain("coalesce(t.due_date, 'infinity'::date)");
    expect(compile({ field: 'dueDate', descending: true }).sql).toContain("coalesce(t.due_date, '-infinity'::date)");
  });

  it('ranks a search within a bounded window of the newest matches', () => {
    const { sql } = compile({ field: 'relevance' }, undefined, { q: 'login crash' });
    expect(sql).toMatch(/^with "candidates" as materialized \(select .* limit \$\d+\)/);
    expect(sql).toContain("t.search @@ websearch_to_tsquery('english', $2)");
  });

  it('continues a search past its window in a part of its own, each part with its own limit', () => {
    const after = ['2026-11-01 10:00:00+00', TENANT, '1', '0.06', '2026-11-02 10:00:00+00', TENANT];
    const { sql } = compile({ field: 'relevance' }, after, { q: 'login' });
    expect(sql).toMatch(
      /\(select .* limit \$\d+\) as "part_0" union all select \* from \(select .* limit \$\d+\) as "part_1"/,
    );
  });

  it('names the cursor length of each order', () => {
    expect(keysetLength({ field: 'position', descending: false })).toBe(4);
    expect(keysetLength({ field: 'createdAt', descending: true })).toBe(2);
    expect(keysetLength({ field: 'relevance' })).toBe(6);
  });

  it('compiles each shape of page once, and runs it with the values of every page', () => {
    const text = fc.oneof(fc.constant(''), fc.string({ maxLength: 12 }));
    const order: fc.Arbitrary<TaskOrder> = fc.oneof(
      fc.record({ field: fc.constantFrom(...TASK_SORTS), descending: fc.boolean() }),
      fc.constant({ field: 'relevance' as const }),
    );
    const page: fc.Arbitrary<TaskPage> = fc
      .record({
        tenantId: fc.uuid(),
        filter: fc.record(
          {
            projectId: fc.uuid(),
            statuses: fc.array(fc.constantFrom('todo', 'in_progress', ''), { maxLength: 3 }),
            statusCategories: fc.subarray([...STATE_CATEGORIES]),
            priorities: fc.subarray([...TASK_PRIORITIES]),
            assigneeId: fc.option(fc.uuid()),
            labelIds: fc.array(fc.uuid(), { maxLength: 2 }),
            parentId: fc.option(fc.uuid()),
            dueBefore: fc.constantFrom('2026-12-01', ''),
            dueAfter: fc.constant('2026-01-01'),
            q: text,
            blocked: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
        order,
        first: fc.integer({ min: 1, max: 3 }),
        cursor: fc.array(text, { minLength: 6, maxLength: 6 }),
        paged: fc.boolean(),
      })
      .map(({ tenantId, filter, order, first, cursor, paged }) => ({
        tenantId,
        // Relevance needs something to rank by.
        filter: order.field === 'relevance' ? { ...filter, q: filter.q ?? 'login' } : filter,
        order,
        // A search's cursor as issued: its third value says the row was ranked.
        window: {
          first,
          after: paged
            ? cursor
                .slice(0, keysetLength(order))
                .map((value, index) => (order.field === 'relevance' && index === 2 ? '1' : value))
            : undefined,
        },
      }));
    fc.assert(
      fc.property(page, (page) => {
        const { sql, parameters } = taskPageQuery(db, page.tenantId, page.filter, page.order, page.window).compile();
        const compiled = compiledTaskPage(page);
        expect(compiled.sql).toBe(sql);
        expect(compiled.parameters).toEqual(parameters);
      }),
      { numRuns: 400 },
    );
  });
});
