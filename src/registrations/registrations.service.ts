import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { hashToken, looksLikeToken, newSecretToken } from '../auth/tokens';
import { AlreadyRegisteredError, NotFoundError, RegistrationClosedError, ServiceUnavailableError, SoldOutError } from '../common/errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { SqlClient } from '../database/sql-client';
import { availabilityInputOf, SESSION_COLUMNS, SessionRow } from '../events/session-row';
import { RegisterDto } from './dto/register.dto';
import { ManagedRegistrationView, RegistrationCreatedView, RegistrationView } from './dto/views';
import { idempotencyMaterial, parseIdempotencyKey } from './idempotency';
import { claimIdempotencyKey, findStoredResponse, saveIdempotentResponse } from './idempotency-store';
import { KeyedSemaphore } from './keyed-semaphore';
import { promoteWaitlisted } from './promote-waitlist';
import { REGISTRATION_COLUMNS, RegistrationRow, toManagedView, toRegistrationView, WAITLIST_POSITION } from './registration-row';
import { registrationOutcome } from './registration-rules';
import type { RegistrationStatus } from './registration.entity';
import { inTransaction, SqlRows } from './sql-rows';

export interface RegisterResult {
  /** Always a 201 answer: only successful registrations are stored for replay. */
  body: RegistrationCreatedView;
  /** The answer stored for this Idempotency-Key, sent again. */
  replayed: boolean;
}

const CLOSED_DETAIL = {
  cancelled: 'This session is cancelled',
  past: 'This session is over',
  closed: 'Registration is not open: the session has started, or it is outside its registration window',
} as const;

// Locks the session row (every change to its counters and registrations takes this lock first)
// and checks the email with registrations_active_email_key in the same round trip.
const LOCK_SESSION_SQL = `
  SELECT ${SESSION_COLUMNS},
    EXISTS (
      SELECT 1 FROM registrations r
       WHERE r.session_id = s.id AND lower(r.email) = lower($2) AND r.status IN ('confirmed', 'waitlisted')
    ) AS already_registered
  FROM sessions s JOIN events e ON e.id = s.event_id
  WHERE s.id = $1
  FOR UPDATE OF s`;

// Inserts and counts in one round trip. The EXISTS above read a snapshot from before the lock
// was granted, so a twin request that committed meanwhile is caught here by the partial unique
// index (ON CONFLICT on it: no row comes back, nothing is counted).
const INSERT_SQL = `
  WITH inserted AS (
    INSERT INTO registrations (session_id, name, email, status, manage_token_hash)
    VALUES ($1, $2, $3, $4::varchar, $5)
    ON CONFLICT (session_id, lower(email)) WHERE status IN ('confirmed', 'waitlisted') DO NOTHING
    RETURNING id, queue_number, created_at
  ), counted AS (
    UPDATE sessions
       SET confirmed_count = confirmed_count + ($4::varchar = 'confirmed')::int,
           waitlisted_count = waitlisted_count + ($4::varchar = 'waitlisted')::int
     WHERE id = $1 AND EXISTS (SELECT 1 FROM inserted)
    RETURNING confirmed_count, waitlisted_count
  )
  SELECT i.id, i.queue_number, i.created_at, c.confirmed_count, c.waitlisted_count FROM inserted i CROSS JOIN counted c`;

const MANAGED_SQL = (where: string): string => `
  SELECT ${REGISTRATION_COLUMNS}, ${WAITLIST_POSITION}, ${SESSION_COLUMNS}
  FROM registrations r JOIN sessions s ON s.id = r.session_id JOIN events e ON e.id = s.event_id
  WHERE ${where}`;

type Locator = { token: string } | { id: string };

/**
 * Registration transactions per session at once in this process: enough waiting on the row lock
 * that it passes straight on, few enough that one rush cannot hold the whole connection pool.
 */
const IN_FLIGHT_PER_SESSION = 4;
const MAX_QUEUE_WAIT_MS = 8000;

/** Registering, and managing a place: by its secret token (attendees) or by id (staff). */
@Injectable()
export class RegistrationsService {
  private readonly perSession = new KeyedSemaphore({
    limit: IN_FLIGHT_PER_SESSION,
    maxWaitMs: MAX_QUEUE_WAIT_MS,
    timeoutError: () => new ServiceUnavailableError('This session is taking very many registrations at once; try again shortly'),
  });

  constructor(
    private readonly sql: SqlClient,
    // Cancelling runs on TypeORM's manager: promoteWaitlisted is shared with capacity raises.
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * One transaction: [claim the Idempotency-Key,] lock the session row, re-check, insert, count,
   * [store the encrypted answer]. A domain error rolls all of it back, freeing the key: only
   * successful answers are replayed. Waits its turn per session first (see IN_FLIGHT_PER_SESSION);
   * a key already answered is replayed before that, and the claim covers requests racing it.
   */
  async register(sessionId: string, input: RegisterDto, idempotencyKeyHeader?: string | string[]): Promise<RegisterResult> {
    const key = parseIdempotencyKey(idempotencyKeyHeader);
    const idempotency = key === undefined ? undefined : idempotencyMaterial(key, sessionId, { name: input.name, email: input.email });
    if (idempotency) {
      // A retry of a finished request is answered without queueing for the session's lock.
      const stored = await findStoredResponse(this.sql, idempotency);
      if (stored) return { body: stored.body as RegistrationCreatedView, replayed: true };
    }
    return this.perSession.run(sessionId, () =>
      this.sql.transaction(async (client) => {
        const tx = inTransaction(client);
        if (idempotency) {
          const stored = await claimIdempotencyKey(tx, idempotency);
          if (stored) return { body: stored.body as RegistrationCreatedView, replayed: true };
        }
        const body = await this.registerLocked(tx, sessionId, input);
        if (idempotency) await saveIdempotentResponse(tx, idempotency, { status: 201, body });
        return { body, replayed: false };
      }),
    );
  }

  private async registerLocked(tx: SqlRows, sessionId: string, input: RegisterDto): Promise<RegistrationCreatedView> {
    const [session] = await tx.query<SessionRow & { already_registered: boolean }>(LOCK_SESSION_SQL, [sessionId, input.email]);
    if (!session) throw new NotFoundError('Session');
    const now = new Date();
    const outcome = registrationOutcome({ ...availabilityInputOf(session), alreadyRegistered: session.already_registered }, now);
    switch (outcome) {
      case 'not-found':
        throw new NotFoundError('Session');
      case 'cancelled':
      case 'past':
      case 'closed':
        throw new RegistrationClosedError(CLOSED_DETAIL[outcome]);
      case 'already-registered':
        throw new AlreadyRegisteredError();
      case 'sold-out':
        throw new SoldOutError();
    }
    const { token, hash } = newSecretToken();
    const [inserted] = await tx.query<{
      id: string;
      queue_number: string;
      created_at: Date;
      confirmed_count: number;
      waitlisted_count: number;
    }>(INSERT_SQL, [sessionId, input.name, input.email, outcome, hash]);
    if (!inserted) throw new AlreadyRegisteredError();
    const row: RegistrationRow & SessionRow = {
      ...session,
      confirmed_count: inserted.confirmed_count,
      waitlisted_count: inserted.waitlisted_count,
      registration_id: inserted.id,
      session_id: sessionId,
      name: input.name,
      email: input.email,
      registration_status: outcome,
      queue_number: inserted.queue_number,
      // Inserted last under the lock, so everyone else waitlisted is ahead: no gaps, FCFS.
      waitlist_position: outcome === 'waitlisted' ? inserted.waitlisted_count : null,
      checked_in_at: null,
      promoted_at: null,
      cancelled_at: null,
      created_at: inserted.created_at,
    };
    return { ...toManagedView(row, token, this.config.publicBaseUrl, now), manageToken: token };
  }

  async getByToken(token: string): Promise<ManagedRegistrationView> {
    const [row] = looksLikeToken(token)
      ? await this.sql.query<RegistrationRow & SessionRow>(MANAGED_SQL('r.manage_token_hash = $1'), [hashToken(token)])
      : [];
    if (!row) throw new NotFoundError('Registration');
    return toManagedView(row, token, this.config.publicBaseUrl, new Date());
  }

  /** DELETE /registrations/:token. Cancelling twice answers the same. */
  async cancelByToken(token: string): Promise<ManagedRegistrationView> {
    if (!looksLikeToken(token)) throw new NotFoundError('Registration');
    return toManagedView(await this.cancel({ token }), token, this.config.publicBaseUrl, new Date());
  }

  /** Staff cancelling on the attendee's behalf. */
  async cancelById(id: string): Promise<RegistrationView> {
    return toRegistrationView(await this.cancel({ id }));
  }

  /**
   * One transaction, locking in the same order as registering (session row, then the
   * registration) so the two never deadlock. A confirmed seat freed goes to the first waitlisted.
   */
  private cancel(locator: Locator): Promise<RegistrationRow & SessionRow> {
    const [where, value] = 'token' in locator ? ['r.manage_token_hash = $1', hashToken(locator.token)] : ['r.id = $1', locator.id];
    return this.db.transaction(async (m) => {
      const [target]: { id: string; session_id: string }[] = await m.query(
        `SELECT r.id, r.session_id FROM registrations r WHERE ${where}`,
        [value],
      );
      if (!target) throw new NotFoundError('Registration');
      await m.query(`SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE`, [target.session_id]);
      const [{ status }]: { status: RegistrationStatus }[] = await m.query(`SELECT status FROM registrations WHERE id = $1 FOR UPDATE`, [
        target.id,
      ]);
      if (status !== 'cancelled') {
        await m.query(`UPDATE registrations SET status = 'cancelled', cancelled_at = now(), updated_at = now() WHERE id = $1`, [target.id]);
        await m.query(
          `UPDATE sessions SET confirmed_count = confirmed_count - ($2::varchar = 'confirmed')::int,
                               waitlisted_count = waitlisted_count - ($2::varchar = 'waitlisted')::int
            WHERE id = $1`,
          [target.session_id, status],
        );
        if (status === 'confirmed') await promoteWaitlisted(m, target.session_id);
      }
      const [row]: (RegistrationRow & SessionRow)[] = await m.query(MANAGED_SQL('r.id = $1'), [target.id]);
      return row;
    });
  }
}
