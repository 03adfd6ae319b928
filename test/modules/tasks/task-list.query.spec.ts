import { sqlCompiler } from '../../../src/database/typed-sql.js';
import { keysetLength, taskPageQuery, type TaskOrder } from '../../../src/modules/tasks/task-list.query.js';

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
});
