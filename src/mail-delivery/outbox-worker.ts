import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import pLimit from 'p-limit';
import { newSecretToken } from '../auth/tokens';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { Database } from '../database/database';
import { composeMessage, MailContext, MailViews } from './compose-message';
import { MailSender, SMTP_CONNECTIONS } from './mail-sender';
import { CLAIM_SQL, ClaimedMessageRow, ISSUE_TOKENS_SQL, MARK_FAILED_SQL, MARK_RETRY_SQL, MARK_SENT_SQL } from './delivery.queries';
import { DEFAULT_BACKOFF_BASE_MS, isPermanent, nextAttemptAt, SendFailure } from './retry-policy';

export const MAIL_SENDER = Symbol('MAIL_SENDER');

/** Messages claimed at once: small, so several instances share a backlog and a claim is sent well within its lease. */
const BATCH = 20;
const DEFAULT_POLL_MS = 1000;
/** Longer than the worst batch (BATCH / SMTP_CONNECTIONS sends, each bounded by the SMTP timeouts). */
const DEFAULT_LEASE_MS = 10 * 60 * 1000;
/** On shutdown, the batch in hand gets this long to finish; what is left is retried after its lease. */
const SHUTDOWN_GRACE_MS = 3000;
const MAX_ERROR_LENGTH = 1000;

/**
 * Delivers the outbox, in every instance: claims due messages (FOR UPDATE SKIP LOCKED, so
 * instances never take the same one), sends them, and records each outcome. A message is marked
 * sent only after the server accepted it, and a claim lapses if its instance dies, so nothing is
 * lost (at least once); a claim outlives any send, so in normal operation nothing goes twice.
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Mail');
  private readonly views = new MailViews();
  private readonly context: MailContext;
  private readonly pollMs: number;
  private readonly backoffBaseMs: number;
  private readonly leaseSeconds: number;
  private running?: Promise<void>;
  private stopping = false;
  private wake?: () => void;
  private outage = false;

  constructor(
    private readonly db: Database,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(MAIL_SENDER) private readonly sender: MailSender,
  ) {
    this.context = { publicBaseUrl: config.publicBaseUrl, from: config.mailFrom };
    this.pollMs = config.mail?.pollIntervalMs ?? DEFAULT_POLL_MS;
    this.backoffBaseMs = config.mail?.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
    this.leaseSeconds = (config.mail?.leaseMs ?? DEFAULT_LEASE_MS) / 1000;
  }

  onApplicationBootstrap(): void {
    this.running = this.loop();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await Promise.race([this.running, delay(SHUTDOWN_GRACE_MS)]);
    // Cuts sends still open; their messages are recorded as failed attempts (or retried after their lease).
    this.sender.close();
    await Promise.race([this.running, delay(SHUTDOWN_GRACE_MS)]);
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let claimed = 0;
      try {
        claimed = await this.deliverBatch();
        this.outage = false;
      } catch (error) {
        // The database is away (or a statement failed): said once, retried every poll.
        if (!this.outage) this.logger.warn(`Mail delivery paused: ${(error as Error).message}`);
        this.outage = true;
      }
      if (claimed < BATCH) await this.sleep();
    }
  }

  /** Claims, sends and records one batch; returns how many messages it claimed. */
  async deliverBatch(): Promise<number> {
    if (this.stopping) return 0;
    const rows = await this.db.query<ClaimedMessageRow>(CLAIM_SQL, [BATCH, this.leaseSeconds]);
    if (rows.length === 0) return 0;
    // Each mail carries a manage token of its own: the original exists only as a hash.
    const tokens = rows.map(() => newSecretToken());
    await this.db.query(ISSUE_TOKENS_SQL, [tokens.map((t) => t.hash), rows.map((r) => r.registration_id)]);
    const limit = pLimit(SMTP_CONNECTIONS);
    const outcomes = await Promise.all(rows.map((row, i) => limit(() => this.send(row, tokens[i].token))));
    const sent = rows.filter((_, i) => outcomes[i] === undefined).map((r) => r.id);
    if (sent.length > 0) await this.db.query(MARK_SENT_SQL, [sent]);
    for (const [i, failure] of outcomes.entries()) {
      if (failure !== undefined) await this.recordFailure(rows[i], failure);
    }
    return rows.length;
  }

  /** Undefined when the server accepted the message, else what went wrong. */
  private async send(row: ClaimedMessageRow, token: string): Promise<(Error & SendFailure) | undefined> {
    try {
      await this.sender.send(row.id, composeMessage(this.views, row, token, this.context));
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  private async recordFailure(row: ClaimedMessageRow, failure: Error & SendFailure): Promise<void> {
    const what = `Mail ${row.id} (${row.kind}) to registration ${row.registration_id}, caused by request ${row.request_id ?? '(none)'}`;
    const reason = failure.message.slice(0, MAX_ERROR_LENGTH);
    const retryAt = isPermanent(failure) ? null : nextAttemptAt(row.attempts, row.created_at, new Date(), this.backoffBaseMs);
    if (retryAt === null) {
      await this.db.query(MARK_FAILED_SQL, [row.id, reason]);
      this.logger.error(`${what} failed for good after ${row.attempts} attempt(s): ${reason}`);
    } else {
      await this.db.query(MARK_RETRY_SQL, [row.id, retryAt, reason]);
      this.logger.warn(`${what} not sent (attempt ${row.attempts}), retrying at ${retryAt.toISOString()}: ${reason}`);
    }
  }

  private sleep(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), this.pollMs);
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
