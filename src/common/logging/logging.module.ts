import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.module.js';
import { loggerParams } from './logger-options.js';

/** Logs through pino (see `loggerParams`). */
@Module({
  imports: [
    LoggerModule.forRootAsync({ inject: [APP_CONFIG], useFactory: (config: AppConfig) => loggerParams(config) }),
  ],
})
export class LoggingModule {}
