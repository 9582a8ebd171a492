import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  raw: string;
  parsed: ParsedMail;
  to: string;
}

/**
 * A real SMTP server on a loopback port (npm smtp-server), keeping what it accepts. `reject`
 * makes it answer RCPT TO for an address with a permanent 550.
 */
export class SmtpSink {
  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
    readonly received: ReceivedMail[],
  ) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  static async start(options: { port?: number; reject?: (address: string) => boolean } = {}): Promise<SmtpSink> {
    const received: ReceivedMail[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: 10 * 1024 * 1024,
      onRcptTo(address, _session, callback) {
        if (options.reject?.(address.address)) {
          const error = new Error('No such mailbox here') as Error & { responseCode: number };
          error.responseCode = 550;
          return callback(error);
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((parsed) => {
              received.push({ raw, parsed, to: session.envelope.rcptTo[0]?.address ?? '' });
              callback();
            })
            .catch(callback);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const port = (server.server.address() as AddressInfo).port;
    return new SmtpSink(server, port, received);
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.to.toLowerCase() === address.toLowerCase());
  }

  /** Waits until `address` has received `count` messages (or until the timeout), and returns them. */
  async waitFor(address: string, count: number, timeoutMs = 15_000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.to(address).length < count) {
      if (Date.now() > deadline) throw new Error(`${address} got ${this.to(address).length} of ${count} messages`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.to(address);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A loopback port that nothing listens on (taken, then released). */
export async function freePort(): Promise<number> {
  const server = new SMTPServer({ logger: false });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The calendar part (text/calendar) of a message, or undefined. */
export function calendarPart(mail: ReceivedMail): { method: string | undefined; content: string } | undefined {
  const part = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar');
  if (!part) return undefined;
  const header = /Content-Type: text\/calendar;[^\r\n]*(?:\r\n[ \t][^\r\n]*)*/i.exec(mail.raw)?.[0] ?? '';
  return { method: /method=([A-Z]+)/i.exec(header)?.[1], content: part.content.toString('utf8') };
}
