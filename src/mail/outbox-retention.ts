import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import { HourlySweep } from '../database/hourly-sweep';
import { SWEEP_OUTBOX_SQL } from './outbox.queries';

/** Sent and failed messages are kept this long after they were written, for staff to look at. */
export const OUTBOX_RETENTION_DAYS = 30;
/** Rows one statement deletes; a sweep repeats it until fewer are left. */
const SWEEP_BATCH = 5000;

/** Deletes sent and failed outbox rows past their retention; pending ones stay until delivered. */
@Injectable()
export class OutboxRetention extends HourlySweep {
  constructor(db: Database) {
    super(db, 'Old mail outbox rows', SWEEP_OUTBOX_SQL, [OUTBOX_RETENTION_DAYS, SWEEP_BATCH]);
  }

  /** All rows past their retention, however many, one bounded batch at a time. */
  override async sweep(): Promise<number> {
    let total = 0;
    let deleted: number;
    do {
      deleted = await super.sweep();
      total += deleted;
    } while (deleted === SWEEP_BATCH);
    return total;
  }
}
