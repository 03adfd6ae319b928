import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { databaseUrl, dropDatabase, ensureDatabase, withServer } from '../../src/database/embedded-postgres.js';
import { testServerUrl } from '../support/test-app.js';
import { inheritedEnvironment } from '../support/server-process.js';

/**
 * `npm run seed:demo` is `nest build` then this: the built command, run as a developer runs
 * it (no rate-limit settings of its own, the development defaults), on a database of its own.
 */
async function seedDemo(url: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['dist/demo/seed-demo.js'], {
      env: {
        ...inheritedEnvironment(),
        DATABASE_URL: url,
        JWT_SECRET: randomBytes(32).toString('hex'),
        BCRYPT_COST: '4', // the seed registers eight people; the cost is the login spec's business
      },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error: unknown) {
    const field = (key: string): unknown =>
      typeof error === 'object' && error !== null ? Reflect.get(error, key) : undefined;
    const code = field('code');
    return {
      code: typeof code === 'number' ? code : -1,
      output: [field('stdout'), field('stderr'), error instanceof Error ? error.message : ''].join(''),
    };
  }
}

/** Every table's rows (count and a digest of their text), by table name. */
async function contents(url: string): Promise<Record<string, string>> {
  return withServer(url, async (client) => {
    const tables = await client.query<{ name: string }>(
      `select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    );
    const result: Record<string, string> = {};
    for (const { name } of tables.rows) {
      const { rows } = await client.query<{ rows: string; digest: string | null }>(
        `select count(*)::text as rows, md5(string_agg(t::text, '|' order by t::text)) as digest from ${pg.escapeIdentifier(name)} t`,
      );
      result[name] = `${rows[0]?.rows ?? '?'} rows, ${rows[0]?.digest ?? 'empty'}`;
    }
    return result;
  });
}

describe('npm run seed:demo', () => {
  const database = `yello_seed_${randomBytes(4).toString('hex')}`;
  const url = () => databaseUrl(testServerUrl(), database);

  beforeAll(async () => {
    await ensureDatabase(testServerUrl(), database, process.env.YELLO_TEST_TEMPLATE);
  });
  afterAll(async () => {
    await dropDatabase(testServerUrl(), database);
  });

  it('creates the demo tenant, and a second run changes nothing', async () => {
    const first = await seedDemo(url());
    expect(first).toEqual({ code: 0, output: expect.stringContaining('Demo tenant "yello-demo"') });
    const seeded = await withServer(url(), async (client) => {
      const { rows } = await client.query<{ people: number; projects: number; tasks: number; comments: number }>(
        `select (select count(*)::int from memberships m where m.tenant_id = t.id) as people,
                (select count(*)::int from projects p where p.tenant_id = t.id) as projects,
                (select count(*)::int from tasks k where k.tenant_id = t.id) as tasks,
                (select count(*)::int from comments c where c.tenant_id = t.id) as comments
           from tenants t where t.slug = 'yello-demo'`,
      );
      return rows;
    });
    expect(seeded).toEqual([{ people: 8, projects: 3, tasks: 200, comments: 50 }]);

    const before = await contents(url());
    const second = await seedDemo(url());
    expect(second).toEqual({ code: 0, output: expect.stringContaining('exists already: nothing to do') });
    expect(await contents(url())).toEqual(before);
  }, 180_000);
});
