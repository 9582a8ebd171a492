import { Module } from '@nestjs/common';
import { AdminEventsController } from './admin-events.controller';
import { CachedAnswers } from './cached-answers';
import { ChangeNotifications } from './change-notifications';
import { EventsAdminService } from './events-admin.service';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';
import { SessionChanges } from './session-changes';

@Module({
  controllers: [EventsController, AdminEventsController],
  providers: [EventsService, EventsAdminService, SessionChanges, ChangeNotifications, CachedAnswers],
  exports: [EventsService, SessionChanges, ChangeNotifications, CachedAnswers],
})
export class EventsModule {}
