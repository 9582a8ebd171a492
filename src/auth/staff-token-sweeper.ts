import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Database } from '../database/database';
import { SWEEP_TOKENS_SQL } from './auth.queries';

const SWEEP_EVERY_MS = 60 * 60 * 1000;
const FIRST_SWEEP_MS = 60 * 1000;

/**
 * Deletes expired and revoked staff tokens hourly (first a minute after start), so the table
 * holds only live ones. Every instance sweeps; the DELETE is idempotent. Timers are unref'd so
 * they never hold the process open.
 */
@Injectable()
export class StaffTokenSweeper implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('StaffTokenSweeper');
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly db: Database) {}

  onModuleInit(): void {
    this.timers.push(setTimeout(() => void this.sweep(), FIRST_SWEEP_MS).unref());
    this.timers.push(setInterval(() => void this.sweep(), SWEEP_EVERY_MS).unref());
  }

  onModuleDestroy(): void {
    this.timers.forEach(clearTimeout);
    this.timers = [];
  }

  async sweep(): Promise<number> {
    try {
      const [{ deleted }] = await this.db.query<{ deleted: number }>(SWEEP_TOKENS_SQL);
      return deleted;
    } catch (error) {
      // The database may be away for a while; the next sweep catches up.
      this.logger.warn(`Expired staff tokens not deleted: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    }
  }
}
