import { Module } from '@nestjs/common';
import { AdminEventsController } from './admin-events.controller';
import { ChangeNotifications } from './change-notifications';
import { EventsAdminService } from './events-admin.service';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';
import { SessionChanges } from './session-changes';

@Module({
  controllers: [EventsController, AdminEventsController],
  providers: [EventsService, EventsAdminService, SessionChanges, ChangeNotifications],
  exports: [EventsService, SessionChanges, ChangeNotifications],
})
export class EventsModule {}
