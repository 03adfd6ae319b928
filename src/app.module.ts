import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { HousekeepingModule } from './common/housekeeping/housekeeping.module.js';
import { ProblemDetailsFilter } from './common/http/problem-details.filter.js';
import { QueryParametersGuard } from './common/http/query-parameters.guard.js';
import { createValidationPipe } from './common/http/validation.js';
import { IdempotencyModule } from './common/idempotency/idempotency.module.js';
import { LoggingModule } from './common/logging/logging.module.js';
import { PaginationModule } from './common/pagination/pagination.module.js';
import { RateLimitGuard } from './common/rate-limit/rate-limit.guard.js';
import { RateLimitModule } from './common/rate-limit/rate-limit.module.js';
import { AppConfigModule, type AppConfig } from './config/app-config.module.js';
import { DatabaseStatusModule, type SupervisedDatabase } from './database/database-status.module.js';
import { DatabaseModule } from './database/database.module.js';
import { ApiTokensModule } from './modules/api-tokens/api-tokens.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { JwtAuthGuard } from './modules/auth/guards/jwt-auth.guard.js';
import { EventsModule } from './modules/events/events.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { ProjectsModule } from './modules/projects/projects.module.js';
import { TasksModule } from './modules/tasks/tasks.module.js';
import { MembershipGuard } from './modules/tenants/membership.guard.js';
import { TenantsModule } from './modules/tenants/tenants.module.js';
import { UsersModule } from './modules/users/users.module.js';
import { WebhooksModule } from './modules/webhooks/webhooks.module.js';

@Module({})
export class AppModule {
  /** `database`: the PostgreSQL process the app runs itself, when it does (no `DATABASE_URL`). */
  static forRoot(config: AppConfig, database?: SupervisedDatabase): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule,
        // In-process domain events between modules, raised and handled inside one transaction.
        EventEmitterModule.forRoot(),
        DatabaseModule,
        DatabaseStatusModule.forRoot(database),
        PaginationModule,
        RateLimitModule,
        IdempotencyModule,
        HousekeepingModule,
        HealthModule,
        EventsModule,
        AuthModule,
        UsersModule,
        TenantsModule,
        ProjectsModule,
        TasksModule,
        ApiTokensModule,
        WebhooksModule,
      ],
      providers: [
        // Guards run in this order: authenticate first, so rate limits can key on the user
        // and an anonymous caller learns nothing about a route's query parameters; the
        // tenant membership of routes under /tenants/{tenantId} is resolved last.
        { provide: APP_GUARD, useExisting: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: QueryParametersGuard },
        { provide: APP_GUARD, useExisting: MembershipGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
