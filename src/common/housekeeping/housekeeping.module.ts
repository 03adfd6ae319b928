import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { HousekeepingService } from './housekeeping.service.js';

@Module({
  imports: [ScheduleModule.forRoot(), DiscoveryModule],
  providers: [HousekeepingService],
})
export class HousekeepingModule {}
