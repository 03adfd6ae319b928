import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Global, Module } from '@nestjs/common';
import { IdempotencyRecord } from './idempotency-record.entity.js';
import { IdempotencyPurger } from './idempotency.purger.js';
import { IdempotencyService } from './idempotency.service.js';

/** Idempotent creates: routes opt in with `@Idempotent()`, whose interceptor any module can build. */
@Global()
@Module({
  imports: [MikroOrmModule.forFeature([IdempotencyRecord])],
  providers: [IdempotencyService, IdempotencyPurger],
  exports: [IdempotencyService],
})
export class IdempotencyModule {}
