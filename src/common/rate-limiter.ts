import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { RateLimitedError } from './errors';

/**
 * Per-client limits (per instance, in memory): registrations per IP, and failed logins per IP
 * and per account. `RATE_LIMIT=off` turns them off for benchmarks.
 */
@Injectable()
export class RateLimiter {
  private readonly registrations = new RateLimiterMemory({ keyPrefix: 'reg', points: 20, duration: 60 });
  private readonly failedLogins = new RateLimiterMemory({ keyPrefix: 'login', points: 10, duration: 15 * 60 });

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Counts one registration attempt by this client; throws when over the limit. */
  async registration(clientIp: string): Promise<void> {
    if (!this.config.rateLimit) return;
    await this.registrations.consume(clientIp).catch(rejected);
  }

  /** Throws when this client or account already failed too many logins. */
  async assertLoginAllowed(clientIp: string, email: string): Promise<void> {
    if (!this.config.rateLimit) return;
    for (const key of [clientIp, `account:${email.toLowerCase()}`]) {
      const state = await this.failedLogins.get(key);
      if (state && state.consumedPoints >= 10) throw new RateLimitedError(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
    }
  }

  async loginFailed(clientIp: string, email: string): Promise<void> {
    if (!this.config.rateLimit) return;
    await Promise.all([clientIp, `account:${email.toLowerCase()}`].map((key) => this.failedLogins.penalty(key, 1)));
  }
}

function rejected(error: unknown): never {
  if (error instanceof RateLimiterRes) throw new RateLimitedError(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
  throw error;
}
