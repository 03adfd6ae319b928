import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { JobsModule } from '../../common/jobs/jobs.module.js';
import { EventsModule } from '../events/events.module.js';
import { WebhookDelivery } from './entities/webhook-delivery.entity.js';
import { Webhook } from './entities/webhook.entity.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookSecrets } from './webhook-secrets.js';
import { WebhookSweep } from './webhook-sweep.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksPurger } from './webhooks.purger.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Standard Webhooks for the tenant event log: endpoints (admin+), their delivery log, and
 * the delivery itself on the app's job queue. It listens to the event log; nothing
 * depends on it.
 */
@Module({
  imports: [MikroOrmModule.forFeature([Webhook, WebhookDelivery]), EventsModule, JobsModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookDispatcher, WebhookSecrets, WebhookSweep, WebhooksPurger],
})
export class WebhooksModule {}
