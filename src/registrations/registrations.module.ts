import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { IdempotencyKeySweeper } from './idempotency-store';
import { RegistrationsAdminController } from './registrations-admin.controller';
import { RegistrationsStaffService } from './registrations-staff.service';
import { RegistrationsController } from './registrations.controller';
import { RegistrationsService } from './registrations.service';

@Module({
  imports: [EventsModule],
  controllers: [RegistrationsController, RegistrationsAdminController],
  providers: [RegistrationsService, RegistrationsStaffService, IdempotencyKeySweeper],
  exports: [RegistrationsService],
})
export class RegistrationsModule {}
