import { createHash } from 'node:crypto';
import { Global, Inject, Injectable, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { Database } from '../database/database';
import { RateLimitedError, UnauthorizedError, ValidationError } from '../common/errors';
import { clientKey } from './client-key';

export const REGISTRATIONS_PER_MINUTE = 20;
export const LOGIN_WINDOW_SECONDS = 15 * 60;
export const FAILED_LOGINS_PER_ACCOUNT_AND_ADDRESS = 10;
/** Looser than per account: several staff may share one office address. */
export const FAILED_LOGINS_PER_ADDRESS = 50;

/** Manage-link resends (POST /registrations/resend), per hour: each one mails somebody. */
export const RESENDS_PER_ADDRESS = 10;
export const RESENDS_PER_EMAIL = 3;
const RESEND_WINDOW_SECONDS = 60 * 60;

const TABLE = 'rate_limits';
const SWEEP_EVERY_MS = 5 * 60 * 1000;

/** A login attempt already counted; its `check` decides whether it stays counted. */
export interface LoginAttempt {
  /**
   * Runs the password check. The attempt stays counted only when it fails as a wrong password
   * (401, or 400 for a wrong current password); success, or a failure on our side (the database,
   * a bug), gives it back.
   */
  check<T>(run: () => Promise<T>): Promise<T>;
}

/**
 * Per-client limits in PostgreSQL, shared by every instance. Failed logins count per address and
 * per account-and-address, never per account alone (anyone could lock its owner out). Each
 * attempt is one atomic upsert before the work it guards, so concurrent attempts cannot pass.
 */
@Injectable()
export class RateLimiter implements OnModuleInit, OnModuleDestroy {
  private readonly registrations: RateLimiterPostgres;
  private readonly loginsByAddress: RateLimiterPostgres;
  private readonly loginsByAccount: RateLimiterPostgres;
  private readonly resendsByAddress: RateLimiterPostgres;
  private readonly resendsByEmail: RateLimiterPostgres;
  private sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: Database,
  ) {
    const store = (keyPrefix: string, points: number, duration: number): RateLimiterPostgres =>
      new RateLimiterPostgres({
        storeClient: poolLike(db),
        storeType: 'pool',
        tableName: TABLE,
        // Created by a migration; expired rows are swept below, once per instance.
        tableCreated: true,
        clearExpiredByTimeout: false,
        keyPrefix,
        points,
        duration,
        // A client over its limit is answered from memory until its window ends: no query.
        inMemoryBlockOnConsumed: points + 1,
      });
    this.registrations = store('reg', REGISTRATIONS_PER_MINUTE, 60);
    this.loginsByAddress = store('login-ip', FAILED_LOGINS_PER_ADDRESS, LOGIN_WINDOW_SECONDS);
    this.loginsByAccount = store('login-acct', FAILED_LOGINS_PER_ACCOUNT_AND_ADDRESS, LOGIN_WINDOW_SECONDS);
    this.resendsByAddress = store('resend-ip', RESENDS_PER_ADDRESS, RESEND_WINDOW_SECONDS);
    this.resendsByEmail = store('resend-email', RESENDS_PER_EMAIL, RESEND_WINDOW_SECONDS);
  }

  onModuleInit(): void {
    if (!this.config.rateLimit) return;
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_EVERY_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /** Deletes the rows of every limiter whose window has ended (the store treats them as empty already). */
  async sweep(): Promise<void> {
    // The database may be away for a while; the next sweep catches up.
    await this.db.query(`DELETE FROM ${TABLE} WHERE expire < $1`, [Date.now()]).catch(() => undefined);
  }

  /** Counts one registration attempt by this client; throws when over the limit. */
  async registration(clientIp: string): Promise<void> {
    if (!this.config.rateLimit) return;
    await this.registrations.consume(clientKey(clientIp)).catch((error: unknown) => {
      throw limited([error]) ?? error;
    });
  }

  /**
   * Counts a manage-link resend, per client and per email (from anywhere: the mails all go to
   * that one inbox); throws when either is over its limit.
   */
  async resend(clientIp: string, email: string): Promise<void> {
    if (!this.config.rateLimit) return;
    const outcomes = await Promise.allSettled([
      this.resendsByAddress.consume(clientKey(clientIp)),
      this.resendsByEmail.consume(emailKey(email)),
    ]);
    const errors = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    const failure = errors.find((e) => !(e instanceof RateLimiterRes));
    if (failure !== undefined) throw failure as Error;
    const over = limited(errors);
    if (over) throw over;
  }

  /**
   * Counts a login attempt before the password is checked (so that concurrent attempts cannot
   * outrun the count); throws when this address, or this account from this address, is over
   * its limit. The password check then runs through `check`, so that only wrong passwords count.
   */
  async loginAttempt(clientIp: string, email: string): Promise<LoginAttempt> {
    if (!this.config.rateLimit) return { check: (run) => run() };
    const address = clientKey(clientIp);
    const account = `${emailKey(email)}@${address}`;
    const outcomes = await Promise.allSettled([this.loginsByAddress.consume(address), this.loginsByAccount.consume(account)]);
    const errors = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    const failure = errors.find((e) => !(e instanceof RateLimiterRes));
    if (failure !== undefined) throw failure as Error;
    const over = limited(errors);
    if (over) throw over;
    // The answer is decided already; a refund lost to a database blip must not change it.
    const refund = () => Promise.all([this.loginsByAddress.reward(address), this.loginsByAccount.reward(account)]).catch(() => undefined);
    return {
      check: async (run) => {
        try {
          const result = await run();
          await refund();
          return result;
        } catch (error) {
          if (!(error instanceof UnauthorizedError || error instanceof ValidationError)) await refund();
          throw error;
        }
      },
    };
  }
}

/** Hashed: the table holds no email addresses, and keys stay short whatever was typed. */
function emailKey(email: string): string {
  return createHash('sha256').update(email.toLowerCase()).digest('base64url');
}

/** The 429 for the longest wait among refusals, if any error is one. */
function limited(errors: unknown[]): RateLimitedError | undefined {
  const waits = errors.filter((e): e is RateLimiterRes => e instanceof RateLimiterRes).map((e) => e.msBeforeNext);
  return waits.length > 0 ? new RateLimitedError(Math.max(1, Math.ceil(Math.max(...waits) / 1000))) : undefined;
}

interface StoreQuery {
  name?: string;
  text: string;
  values?: unknown[];
}

/** The pg-Pool-shaped client the store expects, on the service's own pool (and its timeouts). */
function poolLike(db: Database): { query(q: StoreQuery): Promise<{ rows: unknown[]; rowCount: number }> } {
  return {
    async query(q) {
      const rows = await db.query(q.name ? { name: q.name, text: q.text } : q.text, q.values);
      return { rows, rowCount: rows.length };
    },
  };
}

/** Provided once for the whole app: auth, registrations and pages all count attempts. */
@Global()
@Module({ providers: [RateLimiter], exports: [RateLimiter] })
export class RateLimitModule {}
