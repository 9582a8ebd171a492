import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { EmlFileSender, MailSender, SmtpSender } from './mail-sender';
import { MAIL_SENDER, OutboxWorker } from './outbox-worker';

/** Composing and sending the outbox's messages: over SMTP, or as .eml files without SMTP_URL. */
@Module({
  providers: [
    OutboxWorker,
    {
      provide: MAIL_SENDER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): MailSender => (config.smtpUrl ? new SmtpSender(config.smtpUrl) : new EmlFileSender(config.dataDir)),
    },
  ],
})
export class MailDeliveryModule {}
