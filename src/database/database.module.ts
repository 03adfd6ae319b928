import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Global, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, InjectAppConfig, type AppConfig } from '../config/app-config.module.js';
import { mikroOrmOptions } from './mikro-orm.options.js';
import { appDialect } from './named-statements.js';
import { assertSchemaKnown, migrateJobQueue, migrateOnStart } from './startup-migrator.js';
import { Transactions } from './transactions.js';

/** Global: every feature writes through `Transactions`, the one transaction boundary. */
@Global()
@Module({
  imports: [
    MikroOrmModule.forRootAsync({
      driver: PostgreSqlDriver,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...mikroOrmOptions(config.database),
        // Its own pool: one that sends the hot statements as named ones (named-statements.ts).
        driverOptions: () => appDialect(config.database),
        // Its messages (the migrator's) go into our log lines: no terminal colour codes there.
        colors: false,
        autoLoadEntities: true,
        // Opened by a Fastify hook instead (`createApp`).
        registerRequestContext: false,
      }),
    }),
  ],
  providers: [Transactions],
  exports: [Transactions],
})
export class DatabaseModule implements OnApplicationBootstrap {
  private readonly logger = new Logger(DatabaseModule.name);

  constructor(
    private readonly orm: MikroORM,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.database.migrateOnStart) {
      await assertSchemaKnown(this.orm);
      return;
    }
    const { applied, waited } = await migrateOnStart(this.orm, this.config.database.url, () =>
      this.logger.log('Another instance is migrating the database: waiting for it'),
    );
    if (applied.length > 0) this.logger.log(`Applied ${applied.length} migration(s)`);
    else if (waited) this.logger.log('Schema is up to date (migrated by another instance)');
    await migrateJobQueue(this.config.database.url);
  }
}
