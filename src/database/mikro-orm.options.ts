import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';

export interface DatabaseConnection {
  url: string;
  poolMax: number;
}

/**
 * Settings shared by the app, the MikroORM CLI and the test harness. Migrations are
 * the only way the schema changes (never `schema:update` outside tests).
 */
export function mikroOrmOptions(connection: DatabaseConnection, overrides: Options = {}): Options {
  return defineConfig({
    clientUrl: connection.url,
    pool: { min: 0, max: connection.poolMax },
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    forceUtcTimezone: true,
    migrations: {
      path: 'dist/database/migrations',
      pathTs: 'src/database/migrations',
      glob: '!(*.d).{js,ts}',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    ...overrides,
  });
}
