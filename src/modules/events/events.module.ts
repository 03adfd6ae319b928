import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { EventCounter } from './entities/event-counter.entity.js';
import { TenantEvent } from './entities/tenant-event.entity.js';
import { EventFeed } from './event-feed.js';
import { EventLog } from './event-log.js';
import { EventNotifications } from './event-notifications.js';
import { EventsController } from './events.controller.js';
import { EventsPurger } from './events.purger.js';

/**
 * The tenant event log: modules that change tenant data import it to record their events;
 * clients read it as a feed (`GET …/events`, the SSE stream). It depends on nothing but the
 * database.
 */
@Module({
  imports: [MikroOrmModule.forFeature([TenantEvent, EventCounter])],
  controllers: [EventsController],
  providers: [EventLog, EventFeed, EventNotifications, EventsPurger],
  exports: [EventLog],
})
export class EventsModule {}
