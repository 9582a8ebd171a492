import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { EventsModule } from '../events/events.module';
import { MessagesAdminController, ResendController } from './mail.controller';
import { MailService } from './mail.service';
import { OutboxRetention } from './outbox-retention';
import { RequestIdInterceptor } from './request-context';

/** Email's outbox: the resend route, the staff view of messages, the retention sweep. Delivery is in mail-delivery/. */
@Module({
  imports: [EventsModule],
  controllers: [ResendController, MessagesAdminController],
  providers: [
    MailService,
    OutboxRetention,
    // Outbox rows name the request that wrote them.
    { provide: APP_INTERCEPTOR, useClass: RequestIdInterceptor },
  ],
})
export class MailModule {}
