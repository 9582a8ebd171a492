import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { hashToken, looksLikeToken, newSecretToken } from '../auth/tokens';
import {
  AlreadyRegisteredError,
  ConflictError,
  DomainError,
  NotFoundError,
  RegistrationClosedError,
  ServiceUnavailableError,
  SoldOutError,
} from '../common/errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { prepared, SqlClient } from '../database/sql-client';
import { enqueueMessages, registrationIdsByTokenHash, registrationMailCte } from '../mail/outbox.queries';
import { currentRequestId } from '../mail/request-context';
import { availabilityInputOf, SESSION_COLUMNS, SessionRow } from '../events/session-row';
import { RegisterDto } from './dto/register.dto';
import { ManagedRegistrationView, RegistrationCreatedView, RegistrationView } from './dto/views';
import { IdempotencyMaterial, idempotencyMaterial, parseIdempotencyKey } from './idempotency';
import { findStoredResponse, sealIdempotentResponse } from './idempotency-store';
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
const LOCK_SESSION_SQL = prepared(
  'registration-lock-session',
  `
  SELECT ${SESSION_COLUMNS},
    EXISTS (
      SELECT 1 FROM registrations r
       WHERE r.session_id = s.id AND lower(r.email) = lower($2) AND r.status IN ('confirmed', 'waitlisted')
    ) AS already_registered
  FROM sessions s JOIN events e ON e.id = s.event_id
  WHERE s.id = $1
  FOR UPDATE OF s`,
);

// Claims the Idempotency-Key with its answer, inserts and counts, in one round trip: a keyed
// request holds the session's lock no longer than an unkeyed one, and writes its key row once.
// - Without a key ($8 null) the `keyed` step inserts nothing and does not gate the rest.
// - A key already taken (a twin request committed first) inserts nothing more: `keyed` is 0 and
//   the caller replays the stored answer. A twin still running blocks this INSERT on the primary
//   key until it ends.
// - The EXISTS of LOCK_SESSION_SQL read a snapshot from before the lock was granted, so a twin
//   email that committed meanwhile is caught here by the partial unique index: `counted` is 0 and
//   the caller rolls everything back (the key row with it).
// - `mailed` (email outbox): the confirmation or waitlist message, in this same statement.
const INSERT_SQL = prepared(
  'registration-insert',
  `
  WITH keyed AS (
    INSERT INTO idempotency_keys (key_hash, request_hash, response_status, response_body)
    SELECT $8, $9, 201, $10 WHERE $8::bytea IS NOT NULL
    ON CONFLICT (key_hash) DO NOTHING
    RETURNING 1
  ), inserted AS (
    INSERT INTO registrations (id, session_id, name, email, status, manage_token_hash, created_at)
    SELECT $1, $2, $3, $4, $5::varchar, $6, $7
     WHERE $8::bytea IS NULL OR EXISTS (SELECT 1 FROM keyed)
    ON CONFLICT (session_id, lower(email)) WHERE status IN ('confirmed', 'waitlisted') DO NOTHING
    RETURNING id
  ), counted AS (
    UPDATE sessions
       SET confirmed_count = confirmed_count + ($5::varchar = 'confirmed')::int,
           waitlisted_count = waitlisted_count + ($5::varchar = 'waitlisted')::int
     WHERE id = $2 AND EXISTS (SELECT 1 FROM inserted)
    RETURNING 1
  ), mailed AS (
    ${registrationMailCte('inserted', '$5', '$11', '$12')}
  )
  SELECT (SELECT count(*) FROM keyed)::int AS keyed, (SELECT count(*) FROM counted)::int AS counted`,
);

/** The key was claimed by a twin request that committed first: its answer is the one to give. */
const KEY_TAKEN = Symbol('key-taken');

const MANAGED_SQL = (where: string): string => `
  SELECT ${REGISTRATION_COLUMNS}, ${WAITLIST_POSITION}, ${SESSION_COLUMNS}
  FROM registrations r JOIN sessions s ON s.id = r.session_id JOIN events e ON e.id = s.event_id
  WHERE ${where}`;

type Locator = { token: string } | { id: string };

/** The registration of token hash $1: the token made at registration, or one that a mail carried. */
const BY_TOKEN = `r.id IN (${registrationIdsByTokenHash('$1')})`;

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
   * One transaction: lock the session row, re-check, then in one statement claim the
   * Idempotency-Key with its encrypted answer, insert and count. A domain error rolls all of it
   * back, freeing the key: only successful answers are replayed. Waits its turn per session first
   * (see IN_FLIGHT_PER_SESSION); a key already answered is replayed before that, and a twin that
   * commits while we wait is found by the claim (or, when our checks refuse, by looking it up once
   * our transaction has rolled back).
   */
  async register(sessionId: string, input: RegisterDto, idempotencyKeyHeader?: string | string[]): Promise<RegisterResult> {
    const key = parseIdempotencyKey(idempotencyKeyHeader);
    const idempotency = key === undefined ? undefined : idempotencyMaterial(key, sessionId, { name: input.name, email: input.email });
    if (idempotency) {
      // A retry of a finished request is answered without queueing for the session's lock.
      const stored = await findStoredResponse(this.sql, idempotency);
      if (stored) return { body: stored.body as RegistrationCreatedView, replayed: true };
    }
    return this.perSession.run(sessionId, async () => {
      let refused: DomainError | undefined;
      try {
        const body = await this.sql.transaction((client) => this.registerLocked(inTransaction(client), sessionId, input, idempotency));
        if (body !== KEY_TAKEN) return { body, replayed: false };
      } catch (error) {
        // A twin with this key may have committed while we waited for the lock (so the seats or
        // the email now look taken): its answer, not this error, is then the one to give.
        if (!idempotency || !(error instanceof DomainError)) throw error;
        refused = error;
      }
      // Looked up only once our transaction is over: inside it, a key we claimed ourselves before
      // being refused would be found and replayed as a 201 for a place that was never made.
      const stored = idempotency && (await findStoredResponse(this.sql, idempotency));
      if (!stored) throw refused ?? new ConflictError('This Idempotency-Key is being used by another request; try again');
      return { body: stored.body as RegistrationCreatedView, replayed: true };
    });
  }

  private async registerLocked(
    tx: SqlRows,
    sessionId: string,
    input: RegisterDto,
    idempotency: IdempotencyMaterial | undefined,
  ): Promise<RegistrationCreatedView | typeof KEY_TAKEN> {
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
    // The answer is made before the insert (its id and counts are known under the lock), so the
    // insert can store it for the Idempotency-Key in the same statement.
    const row: Omit<RegistrationRow, 'queue_number'> & SessionRow = {
      ...session,
      confirmed_count: session.confirmed_count + (outcome === 'confirmed' ? 1 : 0),
      waitlisted_count: session.waitlisted_count + (outcome === 'waitlisted' ? 1 : 0),
      registration_id: randomUUID(),
      session_id: sessionId,
      name: input.name,
      email: input.email,
      registration_status: outcome,
      // Inserted last under the lock, so everyone else waitlisted is ahead: no gaps, FCFS.
      waitlist_position: outcome === 'waitlisted' ? session.waitlisted_count + 1 : null,
      checked_in_at: null,
      promoted_at: null,
      cancelled_at: null,
      created_at: now,
    };
    const body: RegistrationCreatedView = { ...toManagedView(row, token, this.config.publicBaseUrl, now), manageToken: token };
    const sealed = idempotency ? sealIdempotentResponse(idempotency, body) : null;
    const [{ keyed, counted }] = await tx.query<{ keyed: number; counted: number }>(INSERT_SQL, [
      row.registration_id,
      sessionId,
      input.name,
      input.email,
      outcome,
      hash,
      now,
      idempotency?.keyHash ?? null,
      idempotency?.requestHash ?? null,
      sealed,
      // Email outbox: what the confirmation or waitlist message needs to say.
      outcome === 'waitlisted' ? JSON.stringify({ position: row.waitlist_position }) : null,
      currentRequestId(),
    ]);
    if (idempotency && keyed === 0) return KEY_TAKEN;
    if (counted !== 1) throw new AlreadyRegisteredError();
    return body;
  }

  async getByToken(token: string): Promise<ManagedRegistrationView> {
    const [row] = looksLikeToken(token)
      ? await this.sql.query<RegistrationRow & SessionRow>(MANAGED_SQL(BY_TOKEN), [hashToken(token)])
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
    const [where, value] = 'token' in locator ? [BY_TOKEN, hashToken(locator.token)] : ['r.id = $1', locator.id];
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
        // Email outbox (issue 12): "your place is cancelled", in this transaction.
        await enqueueMessages(m, [
          { registrationId: target.id, kind: 'cancelled', details: { by: 'token' in locator ? 'attendee' : 'staff', from: status } },
        ]);
      }
      const [row]: (RegistrationRow & SessionRow)[] = await m.query(MANAGED_SQL('r.id = $1'), [target.id]);
      return row;
    });
  }
}
