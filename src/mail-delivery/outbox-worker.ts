import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import pLimit from 'p-limit';
import { newSecretToken } from '../auth/tokens';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { Database } from '../database/database';
import { composeMessage, MailContext, MailViews } from './compose-message';
import { measuredPause, paceFor } from './delivery-pace';
import {
  CLAIM_SQL,
  ClaimedMessageRow,
  ClaimRow,
  ISSUE_TOKENS_SQL,
  MARK_FAILED_SQL,
  MARK_RETRY_SQL,
  MARK_SENT_SQL,
  REGISTRATION_GONE,
} from './delivery.queries';
import { MailSender, SMTP_CONNECTIONS } from './mail-sender';
import { DEFAULT_BACKOFF_BASE_MS, isPermanent, nextAttemptAt, SendFailure } from './retry-policy';

export const MAIL_SENDER = Symbol('MAIL_SENDER');

const DEFAULT_POLL_MS = 1000;
/** Longer than the worst slice (idleSlice / SMTP_CONNECTIONS sends, each bounded by the SMTP timeouts). */
const DEFAULT_LEASE_MS = 10 * 60 * 1000;
/** On shutdown, the slice in hand gets this long to finish; what is left is retried after its lease. */
const SHUTDOWN_GRACE_MS = 3000;
const MAX_ERROR_LENGTH = 1000;

/**
 * Delivers the outbox, in every instance with MAIL_DELIVERY on: claims due messages (FOR UPDATE
 * SKIP LOCKED, so instances never take the same one), sends them, and records each outcome. A
 * message is marked sent only after the server accepted it, and a claim lapses if its instance
 * dies, so nothing is lost (at least once); a claim outlives any send, so in normal operation
 * nothing goes twice. It claims in slices paced by how busy the event loop is (delivery-pace.ts),
 * so a rush of requests is not slowed by the mail it causes.
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Mail');
  private readonly views = new MailViews();
  private readonly context: MailContext;
  private readonly enabled: boolean;
  private readonly pollMs: number;
  private readonly backoffBaseMs: number;
  private readonly leaseSeconds: number;
  private readonly stopping = new AbortController();
  private running?: Promise<void>;
  private outage = false;

  constructor(
    private readonly db: Database,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(MAIL_SENDER) private readonly sender: MailSender,
  ) {
    this.context = { publicBaseUrl: config.publicBaseUrl, from: config.mailFrom };
    this.enabled = config.mailDelivery;
    this.pollMs = config.mail?.pollIntervalMs ?? DEFAULT_POLL_MS;
    this.backoffBaseMs = config.mail?.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
    this.leaseSeconds = (config.mail?.leaseMs ?? DEFAULT_LEASE_MS) / 1000;
  }

  onApplicationBootstrap(): void {
    if (this.enabled) this.running = this.loop();
    else this.logger.log('MAIL_DELIVERY=off: this instance writes the outbox; instances with delivery on send it');
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await Promise.race([this.running, delay(SHUTDOWN_GRACE_MS)]);
    // Cuts sends still open; their messages are recorded as failed attempts (or retried after their lease).
    this.sender.close();
    await Promise.race([this.running, delay(SHUTDOWN_GRACE_MS)]);
  }

  private async loop(): Promise<void> {
    let utilisation = 0;
    let oldestWaitMs = 0;
    while (!this.stopping.signal.aborted) {
      const pace = paceFor(utilisation, oldestWaitMs);
      let claimed = 0;
      try {
        ({ claimed, oldestWaitMs } = await this.deliverSlice(pace.slice));
        this.outage = false;
      } catch (error) {
        // The database is away (or a statement failed): said once, retried every poll.
        if (!this.outage) this.logger.warn(`Mail delivery paused: ${(error as Error).message}`);
        this.outage = true;
      }
      // Fewer than asked for: the backlog is empty, so wait for the next poll.
      utilisation = await measuredPause(claimed < pace.slice ? this.pollMs : pace.pauseMs, this.stopping.signal);
    }
  }

  /** Claims, sends and records up to `limit` messages; how many it claimed, and how long the oldest had waited. */
  private async deliverSlice(limit: number): Promise<{ claimed: number; oldestWaitMs: number }> {
    if (this.stopping.signal.aborted) return { claimed: 0, oldestWaitMs: 0 };
    const claimed = await this.db.query<ClaimRow>(CLAIM_SQL, [limit, this.leaseSeconds]);
    if (claimed.length === 0) return { claimed: 0, oldestWaitMs: 0 };
    const rows: ClaimedMessageRow[] = [];
    for (const row of claimed) {
      if (!row.orphan) rows.push(row);
      else this.logger.error(`${describe(row)} failed: ${REGISTRATION_GONE}`);
    }
    // Each mail carries a manage token of its own: the original exists only as a hash.
    const tokens = rows.map(() => newSecretToken());
    await this.db.query(ISSUE_TOKENS_SQL, [tokens.map((t) => t.hash), rows.map((r) => r.registration_id)]);
    const connections = pLimit(SMTP_CONNECTIONS);
    const outcomes = await Promise.all(rows.map((row, i) => connections(() => this.send(row, tokens[i].token))));
    const sent = rows.filter((_, i) => outcomes[i] === undefined);
    if (sent.length > 0) await this.db.query(MARK_SENT_SQL, [sent.map((r) => r.registration_id), sent.map((r) => r.id)]);
    for (const [i, failure] of outcomes.entries()) {
      if (failure !== undefined) await this.recordFailure(rows[i], failure);
    }
    return { claimed: claimed.length, oldestWaitMs: Math.max(...claimed.map((r) => r.waited_ms)) };
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
    const what = describe(row);
    const reason = failure.message.slice(0, MAX_ERROR_LENGTH);
    const retryAt = isPermanent(failure) ? null : nextAttemptAt(row.attempts, row.created_at, new Date(), this.backoffBaseMs);
    if (retryAt === null) {
      await this.db.query(MARK_FAILED_SQL, [row.registration_id, row.id, reason]);
      this.logger.error(`${what} failed for good after ${row.attempts} attempt(s): ${reason}`);
    } else {
      await this.db.query(MARK_RETRY_SQL, [row.registration_id, row.id, retryAt, reason]);
      this.logger.warn(`${what} not sent (attempt ${row.attempts}), retrying at ${retryAt.toISOString()}: ${reason}`);
    }
  }
}

/** A message as its failures are logged: which, to whom, and the request that caused it. */
function describe(row: ClaimRow): string {
  return `Mail ${row.id} (${row.kind}) to registration ${row.registration_id}, caused by request ${row.request_id ?? '(none)'}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
