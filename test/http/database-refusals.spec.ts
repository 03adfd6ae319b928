import { built } from '../support/built.js';
import { useTestApp } from '../support/test-app.js';

// The app's classes: `problemFor` maps the app's error classes (see built.ts).
const [{ Tenant }, { problemFor }] = await Promise.all([
  built('./modules/tenants/entities/tenant.entity.js'),
  built('./common/http/problem-details.filter.js'),
]);

/** Errors validation should have prevented, produced by the database, still answer 4xx. */
describe('database refusals', () => {
  const t = useTestApp();
  const em = () => t.orm.em.fork();
  const refusal = async (work: Promise<unknown>) =>
    problemFor(
      await work.then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
  const raise = (sqlState: string) =>
    em().execute(`DO $$ BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = '${sqlState}'; END $$`);

  it('an over-long value is a 400', async () => {
    const fork = em();
    fork.create(Tenant, { name: 'x'.repeat(101), slug: 'too-long' });
    expect(await refusal(fork.flush())).toMatchObject({ status: 400, type: 'about:blank' });
  });

  it.each(['22001', '22003', '22008', '22P02', '23502', '23514'])('SQLSTATE %s is a 400', async (sqlState) => {
    expect(await refusal(raise(sqlState))).toMatchObject({ status: 400 });
  });

  it('a unique violation is a 409, a missing row a 404', async () => {
    expect(await refusal(raise('23505'))).toMatchObject({ status: 409 });
    const missing = await refusal(em().findOneOrFail(Tenant, { id: '0190c7a4-0000-7000-8000-000000000000' }));
    expect(missing).toMatchObject({ status: 404 });
  });
});
