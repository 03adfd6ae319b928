import { EntityManager } from '@mikro-orm/postgresql';
import { problemFor } from '../../src/common/http/problem-details.filter.js';
import { Tenant } from '../../src/modules/tenants/entities/tenant.entity.js';
import { useTestApp } from '../support/test-app.js';

/** Errors validation should have prevented, produced by the database, still answer 4xx. */
describe('database refusals', () => {
  const t = useTestApp();
  const em = () => t.app.get(EntityManager).fork();
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
