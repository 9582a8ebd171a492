import { Injectable, Logger } from '@nestjs/common';
import { pipeline, Readable } from 'node:stream';
import { decodeCursor, Page, toPage } from '../common/cursor';
import { ConflictError, NotFoundError } from '../common/errors';
import { SqlClient } from '../database/sql-client';
import { RegistrationListQueryDto } from './dto/registration-list-query.dto';
import { RegistrationView } from './dto/views';
import { likePattern, REGISTRATION_COLUMNS, RegistrationRow, toRegistrationView } from './registration-row';
import type { RegistrationStatus } from './registration.entity';
import { createCsvStringifier, toCsvRecord } from './registrations-csv';

interface ListFilter {
  status?: RegistrationStatus;
  q?: string;
}

/** Rows per query while streaming a CSV export: memory stays flat whatever the session's size. */
const CSV_BATCH = 500;

const isQueueNumber = (v: string): boolean => /^\d{1,19}$/.test(v);

/**
 * Registrations of one session in queue_number order (registrations_session_queue_idx), after a
 * keyset position. The waitlist is numbered once per query with a window function
 * (registrations_session_status_queue_idx) rather than counted per row.
 */
function listSql(
  sessionId: string,
  f: ListFilter,
  afterQueueNumber: string | undefined,
  limit: number,
): { text: string; params: unknown[] } {
  const params: unknown[] = [sessionId];
  const where = ['r.session_id = $1'];
  const param = (value: unknown): string => `$${params.push(value)}`;
  if (f.status) where.push(`r.status = ${param(f.status)}`);
  if (f.q) {
    const p = param(likePattern(f.q));
    where.push(`(r.name ILIKE ${p} ESCAPE '\\' OR r.email ILIKE ${p} ESCAPE '\\')`);
  }
  if (afterQueueNumber !== undefined) where.push(`r.queue_number > ${param(afterQueueNumber)}::bigint`);
  const text = `
    WITH waitlist AS (
      SELECT id, row_number() OVER (ORDER BY queue_number)::int AS position
        FROM registrations WHERE session_id = $1 AND status = 'waitlisted'
    )
    SELECT ${REGISTRATION_COLUMNS}, w.position AS waitlist_position
      FROM registrations r LEFT JOIN waitlist w ON w.id = r.id
     WHERE ${where.join(' AND ')}
     ORDER BY r.queue_number
     LIMIT ${param(limit)}`;
  return { text, params };
}

/** What check-in staff do: list and export a session's registrations, check people in. */
@Injectable()
export class RegistrationsStaffService {
  private readonly logger = new Logger('RegistrationsStaffService');

  constructor(private readonly sql: SqlClient) {}

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
    const [updated] = await this.sql.query<RegistrationRow>(
      `UPDATE registrations r SET checked_in_at = now(), updated_at = now()
        WHERE r.id = $1 AND r.status = 'confirmed' AND r.checked_in_at IS NULL
       RETURNING ${REGISTRATION_COLUMNS}, NULL::int AS waitlist_position`,
      [id],
    );
    if (updated) return toRegistrationView(updated);
    const [current] = await this.sql.query<{ status: RegistrationStatus; checked_in_at: Date | null }>(
      `SELECT status, checked_in_at FROM registrations WHERE id = $1`,
      [id],
    );
    if (!current) throw new NotFoundError('Registration');
    if (current.checked_in_at) throw new ConflictError(`Already checked in at ${current.checked_in_at.toISOString()}`);
    throw new ConflictError(`Only confirmed registrations can check in; this one is ${current.status}`);
  }

  private fetch(sessionId: string, filter: ListFilter, after: string | undefined, limit: number): Promise<RegistrationRow[]> {
    const { text, params } = listSql(sessionId, filter, after, limit);
    return this.sql.query<RegistrationRow>(text, params);
  }

  private async assertSessionExists(id: string): Promise<void> {
    const rows = await this.sql.query(`SELECT 1 FROM sessions WHERE id = $1`, [id]);
    if (rows.length === 0) throw new NotFoundError('Session');
  }
}

function filterOf(query: RegistrationListQueryDto): ListFilter {
  return { status: query.status, q: query.q?.trim() || undefined };
}
