import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
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
import { Database, type Transaction } from '../database/database';
import { availabilityInputOf, SessionRow } from '../events/rows';
import { SessionChanges } from '../events/session-changes';
import { enqueueMessages } from '../mail/outbox.queries';
import { currentRequestId } from '../common/request-id';
import { RegisterDto } from './dto/register.dto';
import { ManagedRegistrationView, RegistrationCreatedView, RegistrationView } from './dto/views';
import { IdempotencyMaterial, idempotencyMaterial, parseIdempotencyKey } from './idempotency';
import { findStoredResponse, sealIdempotentResponse } from './idempotency-store';
import { KeyedSemaphore } from './keyed-semaphore';
import { promoteWaitlisted } from './promote-waitlist';
import { RegistrationRow, toManagedView, toRegistrationView } from './registration-row';
import { registrationOutcome } from './registration-rules';
import type { RegistrationStatus } from './registration.entity';
import {
  BY_TOKEN,
  CANCEL_SQL,
  FIND_FOR_CANCEL_SQL,
  INSERT_SQL,
  LOCK_REGISTRATION_SQL,
  LOCK_SESSION_ROW_SQL,
  LOCK_SESSION_SQL,
  MANAGED_SQL,
  UNCOUNT_SQL,
} from './registrations.queries';

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

/** The key was claimed by a twin request that committed first: its answer is the one to give. */
const KEY_TAKEN = Symbol('key-taken');

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
    private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    sessionChanges: SessionChanges,
  ) {
    // A capacity raised by staff promotes the waitlist in the same transaction.
    sessionChanges.subscribe({ seatsFreed: (tx, sessionId) => promoteWaitlisted(tx, sessionId) });
  }

  /**
   * One transaction: lock the session, re-check, then claim the Idempotency-Key, insert and count
   * in one statement. A refusal rolls the key back too, so only successes are ever replayed.
   */
  async register(sessionId: string, input: RegisterDto, idempotencyKeyHeader?: string | string[]): Promise<RegisterResult> {
    const key = parseIdempotencyKey(idempotencyKeyHeader);
    const idempotency = key === undefined ? undefined : idempotencyMaterial(key, sessionId, { name: input.name, email: input.email });
    if (idempotency) {
      // A retry of a finished request is answered without queueing for the session's lock.
      const stored = await findStoredResponse(this.db, idempotency);
      if (stored) return { body: stored.body as RegistrationCreatedView, replayed: true };
    }
    return this.perSession.run(sessionId, async () => {
      let refused: DomainError | undefined;
      try {
        const body = await this.db.transaction((tx) => this.registerLocked(tx, sessionId, input, idempotency));
        if (body !== KEY_TAKEN) return { body, replayed: false };
      } catch (error) {
        // A twin with this key may have committed while we waited for the lock (so the seats or
        // the email now look taken): its answer, not this error, is then the one to give.
        if (!idempotency || !(error instanceof DomainError)) throw error;
        refused = error;
      }
      // Looked up only once our transaction is over: inside it, a key we claimed ourselves before
      // being refused would be found and replayed as a 201 for a place that was never made.
      const stored = idempotency && (await findStoredResponse(this.db, idempotency));
      if (!stored) throw refused ?? new ConflictError('This Idempotency-Key is being used by another request; try again');
      return { body: stored.body as RegistrationCreatedView, replayed: true };
    });
  }

  private async registerLocked(
    tx: Transaction,
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
    const [row] = looksLikeToken(token) ? await this.db.query<RegistrationRow & SessionRow>(MANAGED_SQL(BY_TOKEN), [hashToken(token)]) : [];
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
    return this.db.transaction(async (tx) => {
      const [target] = await tx.query<{ id: string; session_id: string }>(FIND_FOR_CANCEL_SQL(where), [value]);
      if (!target) throw new NotFoundError('Registration');
      await tx.query(LOCK_SESSION_ROW_SQL, [target.session_id]);
      const [{ status }] = await tx.query<{ status: RegistrationStatus }>(LOCK_REGISTRATION_SQL, [target.id]);
      if (status !== 'cancelled') {
        await tx.query(CANCEL_SQL, [target.id]);
        await tx.query(UNCOUNT_SQL, [target.session_id, status]);
        if (status === 'confirmed') await promoteWaitlisted(tx, target.session_id);
        // Email outbox: "your place is cancelled", in this transaction.
        await enqueueMessages(tx, [
          { registrationId: target.id, kind: 'cancelled', details: { by: 'token' in locator ? 'attendee' : 'staff', from: status } },
        ]);
      }
      const [row] = await tx.query<RegistrationRow & SessionRow>(MANAGED_SQL('r.id = $1'), [target.id]);
      return row;
    });
  }
}
