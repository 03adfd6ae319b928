import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { EventCounter } from './entities/event-counter.entity.js';
import { TenantEvent } from './entities/tenant-event.entity.js';
import { EventLog } from './event-log.js';

/**
 * The tenant event log: modules that change tenant data import it to record their events.
 * It depends on nothing but the database.
 */
@Module({
  imports: [MikroOrmModule.forFeature([TenantEvent, EventCounter])],
  providers: [EventLog],
  exports: [EventLog],
})
export class EventsModule {}
