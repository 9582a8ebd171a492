import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { EventsModule } from '../events/events.module';
import { MessagesAdminController, ResendController } from './mail.controller';
import { EmlFileSender, MailSender, SmtpSender } from './mail-sender';
import { MailService } from './mail.service';
import { MAIL_SENDER, OutboxWorker } from './outbox-worker';

/** Email: the outbox's delivery worker, the resend route, the staff view of messages. */
@Module({
  imports: [EventsModule],
  controllers: [ResendController, MessagesAdminController],
  providers: [
    MailService,
    OutboxWorker,
    {
      provide: MAIL_SENDER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): MailSender => (config.smtpUrl ? new SmtpSender(config.smtpUrl) : new EmlFileSender(config.dataDir)),
    },
  ],
})
export class MailModule {}
