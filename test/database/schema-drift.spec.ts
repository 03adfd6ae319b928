import { useTestApp } from '../support/test-app.js';

/**
 * The database of a test app is a clone of the template every migration built. If the
 * entities describe that schema exactly, MikroORM's schema generator (what
 * `npm run migration:create` diffs) has nothing to change; any statement here is drift
 * between the entities and the migrations.
 */
describe('the entities and the migrations', () => {
  const t = useTestApp();

  it('describe the same schema: the schema generator finds nothing to change', async () => {
    const orm = t.orm;
    expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
  });

  it('need no new migration (what `mikro-orm migration:check` asks)', async () => {
    const orm = t.orm;
    expect(await orm.migrator.checkSchema()).toBe(false);
  });
});
