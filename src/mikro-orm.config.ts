// Configuration for the MikroORM CLI (`npm run migration:create`, `migration:up`).
import { loadConfig } from './config/configuration.js';
import { mikroOrmOptions } from './database/mikro-orm.options.js';

const config = loadConfig(process.env);

export default mikroOrmOptions(
  {
    // Without DATABASE_URL: the embedded server `npm start` runs.
    url:
      config.database.url ?? `postgresql://postgres:postgres@127.0.0.1:${config.localData.embeddedPostgresPort}/yello`,
    poolMax: 2,
  },
  { entities: ['dist/**/*.entity.js'], entitiesTs: ['src/**/*.entity.ts'] },
);
