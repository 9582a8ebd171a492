import { Injectable, Logger } from '@nestjs/common';
import { pipeline, Readable } from 'node:stream';
import { decodeCursor, Page, toPage } from '../common/cursor';
import { ConflictError, NotFoundError } from '../common/errors';
import { Database } from '../database/database';
import { RegistrationListQueryDto } from './dto/registration-list-query.dto';
import { RegistrationView } from './dto/views';
import { RegistrationRow, toRegistrationView } from './registration-row';
import type { RegistrationStatus } from './registration.entity';
import { createCsvStringifier, toCsvRecord } from './registrations-csv';
import { CHECK_IN_SQL, CHECK_IN_STATE_SQL, ListFilter, listSql, SESSION_EXISTS_SQL } from './registrations.queries';

/** Rows per query while streaming a CSV export: memory stays flat whatever the session's size. */
const CSV_BATCH = 500;

const isQueueNumber = (v: string): boolean => /^\d{1,19}$/.test(v);

/** What check-in staff do: list and export a session's registrations, check people in. */
@Injectable()
export class RegistrationsStaffService {
  private readonly logger = new Logger('RegistrationsStaffService');

  constructor(private readonly db: Database) {}

  async list(sessionId: string, query: RegistrationListQueryDto): Promise<Page<RegistrationView>> {
    await this.assertSessionExists(sessionId);
    const limit = query.limit ?? 20;
    const after = query.cursor ? decodeCursor(query.cursor, isQueueNumber)[0] : undefined;
    const rows = await this.fetch(sessionId, filterOf(query), after, limit + 1);
    return toPage(rows, limit, (r) => [r.queue_number, r.registration_id], toRegistrationView);
  }

  /** Every matching row (limit and cursor do not apply), read in keyset batches as the client consumes the CSV. */
  async csv(sessionId: string, query: RegistrationListQueryDto): Promise<Readable> {
    await this.assertSessionExists(sessionId);
    const csv = createCsvStringifier();
    // On a failure mid-way the response is cut off (never made to look complete) and logged here.
    return pipeline(Readable.from(this.csvRecords(sessionId, filterOf(query))), csv, (error) => {
      if (error) this.logger.warn(`CSV export of session ${sessionId} stopped: ${error.message}`);
    });
  }

  private async *csvRecords(sessionId: string, filter: ListFilter): AsyncGenerator<(string | number | null)[]> {
    let after: string | undefined;
    for (;;) {
      const rows = await this.fetch(sessionId, filter, after, CSV_BATCH);
      for (const row of rows) yield toCsvRecord(toRegistrationView(row));
      if (rows.length < CSV_BATCH) return;
      after = rows[rows.length - 1].queue_number;
    }
  }

  /** Marks a confirmed attendee as arrived; a second check-in, or one of another status, is a conflict. */
  async checkIn(id: string): Promise<RegistrationView> {
    const [updated] = await this.db.query<RegistrationRow>(CHECK_IN_SQL, [id]);
    if (updated) return toRegistrationView(updated);
    const [current] = await this.db.query<{ status: RegistrationStatus; checked_in_at: Date | null }>(CHECK_IN_STATE_SQL, [id]);
    if (!current) throw new NotFoundError('Registration');
    if (current.checked_in_at) throw new ConflictError(`Already checked in at ${current.checked_in_at.toISOString()}`);
    throw new ConflictError(`Only confirmed registrations can check in; this one is ${current.status}`);
  }

  private fetch(sessionId: string, filter: ListFilter, after: string | undefined, limit: number): Promise<RegistrationRow[]> {
    const { text, params } = listSql(sessionId, filter, after, limit);
    return this.db.query<RegistrationRow>(text, params);
  }

  private async assertSessionExists(id: string): Promise<void> {
    const rows = await this.db.query(SESSION_EXISTS_SQL, [id]);
    if (rows.length === 0) throw new NotFoundError('Session');
  }
}

function filterOf(query: RegistrationListQueryDto): ListFilter {
  return { status: query.status, q: query.q?.trim() || undefined };
}
