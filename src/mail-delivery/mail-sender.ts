import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { createTransport, type SendMailOptions, type Transporter } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { addressOf, type ComposedMail } from './compose-message';

/** Where composed messages go: an SMTP server, or .eml files when none is configured. */
export interface MailSender {
  /** Resolves once the server accepted the message; rejects with nodemailer's error otherwise. */
  send(id: string, mail: ComposedMail): Promise<void>;
  close(): void;
}

/** Each send's phases are bounded, so a hung server cannot hold a claim past its lease. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
/** Connections kept open to the server by each instance (and so messages sent at once). */
export const SMTP_CONNECTIONS = 4;

/**
 * The whole message (CRLF line ends), built in one piece: an .eml file's bytes, or SMTP's DATA
 * in a few socket writes instead of one per MIME chunk (about twenty).
 */
export function buildMessage(mail: ComposedMail): Promise<Buffer> {
  return new MailComposer({
    messageId: mail.messageId,
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    // An alternative part `text/calendar; method=…` (Gmail ignores a CANCEL without it), plus the .ics attachment Outlook reads.
    ...(mail.calendar && { icalEvent: { method: mail.calendar.method, content: mail.calendar.content, filename: 'invite.ics' } }),
    newline: 'windows',
  })
    .compile()
    .build();
}

export class SmtpSender implements MailSender {
  private readonly transport: Transporter;
  /** Aborted on close: a send waiting on a silent server must not hold a shutdown. */
  private readonly closing = new AbortController();

  constructor(smtpUrl: string) {
    this.transport = createTransport({ url: smtpUrl, pool: true, maxConnections: SMTP_CONNECTIONS, ...SMTP_TIMEOUTS } as never);
  }

  async send(_id: string, mail: ComposedMail): Promise<void> {
    const message: SendMailOptions = {
      envelope: { from: addressOf(mail.from), to: [mail.to.address] },
      raw: await buildMessage(mail),
      signal: this.closing.signal,
    };
    await this.transport.sendMail(message);
  }

  close(): void {
    this.closing.abort();
    this.transport.close();
  }
}

/** No SMTP_URL: each message becomes `<dataDir>/mail/<outbox id>.eml`, so a development setup shows the whole flow. */
export class EmlFileSender implements MailSender {
  private readonly logger = new Logger('Mail');
  private readonly folder: string;
  /** Made once, on the first message. */
  private made?: Promise<unknown>;

  constructor(dataDir: string) {
    this.folder = resolve(dataDir, 'mail');
  }

  async send(id: string, mail: ComposedMail): Promise<void> {
    const message = await buildMessage(mail);
    await (this.made ??= mkdir(this.folder, { recursive: true }));
    const file = join(this.folder, `${id}.eml`);
    await writeFile(file, message);
    this.logger.log(`No SMTP_URL: mail "${mail.subject}" to ${mail.to.address} written to ${file}`);
  }

  close(): void {}
}
