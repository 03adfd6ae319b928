import { useTestApp, type TestApp } from '../support/test-app.js';

/** The value of a setting as the app's pooled connections see it. */
async function setting(t: Pick<TestApp, 'orm'>, name: string): Promise<string | undefined> {
  const [row] = await t.orm.em
    .fork()
    .getConnection()
    .execute<{ value: string }[]>('select current_setting(?) as value', [name]);
  return row?.value;
}

describe("the app's database sessions", () => {
  describe('by default', () => {
    const t = useTestApp();

    it('run without parallel query (PostgreSQL itself defaults to 2 workers)', async () => {
      expect(await setting(t, 'max_parallel_workers_per_gather')).toBe('0');
    });
  });

  describe('with DATABASE_MAX_PARALLEL_WORKERS_PER_GATHER', () => {
    const t = useTestApp({ DATABASE_MAX_PARALLEL_WORKERS_PER_GATHER: '3' });

    it('use the configured number of workers', async () => {
      expect(await setting(t, 'max_parallel_workers_per_gather')).toBe('3');
    });
  });
});
