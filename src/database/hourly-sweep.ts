import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Database } from './database';

const SWEEP_EVERY_MS = 60 * 60 * 1000;
const FIRST_SWEEP_MS = 60 * 1000;

/**
 * A DELETE of rows past their use, run hourly (first a minute after start) by every instance:
 * the statement is idempotent, so instances need no coordination. `statement` answers one row
 * `{ deleted }`. Timers are unref'd so they never hold the process open.
 */
export abstract class HourlySweep implements OnModuleInit, OnModuleDestroy {
  private readonly logger: Logger;
  private timers: NodeJS.Timeout[] = [];

  protected constructor(
    private readonly db: Database,
    private readonly what: string,
    private readonly statement: string,
    private readonly params: unknown[] = [],
  ) {
    this.logger = new Logger(new.target.name);
  }

  onModuleInit(): void {
    this.timers.push(setTimeout(() => void this.sweep(), FIRST_SWEEP_MS).unref());
    this.timers.push(setInterval(() => void this.sweep(), SWEEP_EVERY_MS).unref());
  }

  onModuleDestroy(): void {
    this.timers.forEach(clearTimeout);
    this.timers = [];
  }

  /** How many rows it deleted; 0 when the database is away (the next sweep catches up). */
  async sweep(): Promise<number> {
    try {
      const [{ deleted }] = await this.db.query<{ deleted: number }>(this.statement, this.params);
      return deleted;
    } catch (error) {
      this.logger.warn(`${this.what} not deleted: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    }
  }
}
