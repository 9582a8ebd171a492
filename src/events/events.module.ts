import { Module } from '@nestjs/common';
import { AdminEventsController } from './admin-events.controller';
import { EventsAdminService } from './events-admin.service';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';
import { SeatsFreed } from './seats-freed';

@Module({
  controllers: [EventsController, AdminEventsController],
  providers: [EventsService, EventsAdminService, SeatsFreed],
  exports: [EventsService, SeatsFreed],
})
export class EventsModule {}
