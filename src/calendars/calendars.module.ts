import { Module } from '@nestjs/common';
import { CalendarChanges } from './calendar-changes';
import { CalendarsController } from './calendars.controller';
import { CalendarsService } from './calendars.service';

@Module({
  controllers: [CalendarsController],
  providers: [CalendarsService, CalendarChanges],
})
export class CalendarsModule {}
