import { MikroORM } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, InjectAppConfig, type AppConfig } from '../config/app-config.module.js';
import { mikroOrmOptions } from './mikro-orm.options.js';

@Module({
  imports: [
    MikroOrmModule.forRootAsync({
      driver: PostgreSqlDriver,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...mikroOrmOptions(config.database),
        // Its messages (the migrator's) go into our log lines: no terminal colour codes there.
        colors: false,
        autoLoadEntities: true,
        registerRequestContext: true,
      }),
    }),
  ],
})
export class DatabaseModule implements OnApplicationBootstrap {
  private readonly logger = new Logger(DatabaseModule.name);

  constructor(
    private readonly orm: MikroORM,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.database.migrateOnStart) return;
    const applied = await this.orm.migrator.up();
    if (applied.length > 0) this.logger.log(`Applied ${applied.length} migration(s)`);
  }
}
