import { Global, Inject, Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from './configuration.js';

export type { AppConfig } from './configuration.js';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Injects the validated, fully resolved configuration. */
export const InjectAppConfig = (): ParameterDecorator => Inject(APP_CONFIG);

/**
 * Configuration is validated before Nest starts (the embedded database has to be up
 * first, see `server.ts`), then handed to the container as one typed value.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
