import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { EventsModule } from '../events/events.module.js';
import { ApiTokenStrategy } from './api-token.strategy.js';
import { ApiTokenSelfController, ApiTokensController } from './api-tokens.controller.js';
import { ApiTokensPurger } from './api-tokens.purger.js';
import { ApiTokensService } from './api-tokens.service.js';
import { ApiToken } from './entities/api-token.entity.js';

/** Tenant API tokens: their routes, and the Passport strategy the global guard runs for `yel_` tokens. */
@Module({
  imports: [MikroOrmModule.forFeature([ApiToken]), PassportModule, EventsModule],
  controllers: [ApiTokensController, ApiTokenSelfController],
  providers: [ApiTokensService, ApiTokenStrategy, ApiTokensPurger],
})
export class ApiTokensModule {}
