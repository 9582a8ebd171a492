import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import { HourlySweep } from '../database/hourly-sweep';
import { SWEEP_TOKENS_SQL } from './auth.queries';

/** Deletes expired and revoked staff tokens, so the table holds only live ones. */
@Injectable()
export class StaffTokenSweeper extends HourlySweep {
  constructor(db: Database) {
    super(db, 'Expired staff tokens', SWEEP_TOKENS_SQL);
  }
}
