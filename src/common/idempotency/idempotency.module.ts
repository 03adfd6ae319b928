import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { IdempotencyRecord } from './idempotency-record.entity.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IdempotencyPurger } from './idempotency.purger.js';
import { IdempotencyService } from './idempotency.service.js';

/** Idempotent creates; AppModule installs the interceptor globally, routes opt in with `@Idempotent()`. */
@Module({
  imports: [MikroOrmModule.forFeature([IdempotencyRecord])],
  providers: [IdempotencyService, IdempotencyInterceptor, IdempotencyPurger],
  exports: [IdempotencyInterceptor],
})
export class IdempotencyModule {}
