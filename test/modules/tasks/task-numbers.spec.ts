import { useTestApp } from '../../support/test-app.js';
import { createTenantCrew } from '../../factories/tenants.js';
import { createProject } from '../../factories/projects.js';

describe('task numbers under contention', () => {
  // 200 requests share a pool of 10 connections and queue on one row lock: on a busy
  // machine the default 3 s wait for a connection can run out (a 503), which is not what
  // this test is about.
  const t = useTestApp({ DATABASE_CONNECT_TIMEOUT_MS: '30000' });

  it('gives 200 concurrent creates in one project the numbers 1..200, with no failed request', async () => {
    const crew = await createTenantCrew(t.http);
    const project = await createProject(t.http, crew.tenant.id, crew.owner, { key: 'RACE' });
    const path = `/api/v1/tenants/${crew.tenant.id}/projects/${project.id}/tasks`;
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        t.http
          .post(path)
          .set(i % 2 ? crew.member.auth : crew.admin.auth)
          .send({ title: `Task ${i}` }),
      ),
    );
    expect(responses.filter((response) => response.status !== 201).map((response) => response.status)).toEqual([]);
    const numbers = responses.map((response) => Number(String(response.body.key).split('-')[1])).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));

    const [positions] = await t.orm.em
      .getConnection()
      .execute<{ distinct: number }[]>(
        'select count(distinct position)::int as distinct from tasks where tenant_id = ?',
        [crew.tenant.id],
      );
    expect(positions?.distinct).toBe(200);
  });
});
