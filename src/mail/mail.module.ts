import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { MessagesAdminController, ResendController } from './mail.controller';
import { MailService } from './mail.service';
import { OutboxRetention } from './outbox-retention';

/** Email's outbox: the resend route, the staff view of messages, the retention sweep. Delivery is in mail-delivery/. */
@Module({
  imports: [EventsModule],
  controllers: [ResendController, MessagesAdminController],
  providers: [MailService, OutboxRetention],
})
export class MailModule {}
