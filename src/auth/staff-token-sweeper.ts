import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

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

  constructor(@InjectDataSource() private readonly db: DataSource) {}

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
      const [{ deleted }]: { deleted: number }[] = await this.db.query(
        `WITH gone AS (DELETE FROM staff_tokens WHERE revoked_at IS NOT NULL OR expires_at <= now() RETURNING 1)
         SELECT count(*)::int AS deleted FROM gone`,
      );
      return deleted;
    } catch (error) {
      // The database may be away for a while; the next sweep catches up.
      this.logger.warn(`Expired staff tokens not deleted: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    }
  }
}
