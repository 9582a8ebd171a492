import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hashToken, looksLikeToken, newSecretToken } from '../auth/tokens';
import { isDatabaseUnavailable, isUniqueViolation } from '../common/database-errors';
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
import { Database } from '../database/database';
import type { SessionRow } from '../events/rows';
import { SessionChanges } from '../events/session-changes';
import { enqueueMessages } from '../mail/outbox.queries';
import { RegisterDto } from './dto/register.dto';
import { ManagedRegistrationView, RegistrationCreatedView, RegistrationView } from './dto/views';
import { idempotencyMaterial, parseIdempotencyKey } from './idempotency';
import { findStoredAnswer, openStoredAnswer, sealAnswerRequestPart, type StoredAnswerRow } from './idempotency-store';
import { KeyedBatcher } from './keyed-batcher';
import { promoteWaitlisted } from './promote-waitlist';
import { AnswerFacts, answerBody, AnswerRequestPart } from './registration-answer';
import { RegistrationRow, toManagedView, toRegistrationView } from './registration-row';
import type { RegistrationOutcome } from './registration-rules';
import type { RegistrationStatus } from './registration.entity';
import {
  BY_TOKEN,
  CANCEL_SQL,
  FIND_FOR_CANCEL_SQL,
  LOCK_REGISTRATION_SQL,
  LOCK_SESSION_ROW_SQL,
  MANAGED_SQL,
  REGISTER_BATCH_SQL,
  REGISTER_SQL,
  UNCOUNT_SQL,
} from './registrations.queries';

export interface RegisterResult {
  /** Always a 201 answer: only successful registrations are stored for replay. */
  body: RegistrationCreatedView;
  /** The answer stored for this Idempotency-Key, sent again. */
  replayed: boolean;
}

/** A row of REGISTER_SQL: a place, a refusal, or (`stored`) the key row of an earlier answer. */
type RegisterRow = Omit<StoredAnswerRow, 'response_facts'> & {
  outcome: RegistrationOutcome | 'stored';
  facts: AnswerFacts | null;
};

/** One registration without an Idempotency-Key, waiting for its session's next batch. */
interface BatchItem {
  request: AnswerRequestPart;
  tokenHash: Buffer;
  requestId: string;
}

/** A row of REGISTER_BATCH_SQL, one per item. */
interface BatchRow {
  outcome: RegistrationOutcome;
  facts: AnswerFacts | null;
  conflicted: boolean;
}

/** What one item of a batch gets: its row, or the error its statement alone failed with. */
type BatchResult = BatchRow | { error: unknown };

const CLOSED_DETAIL = {
  cancelled: 'This session is cancelled',
  past: 'This session is over',
  closed: 'Registration is not open: the session has started, or it is outside its registration window',
} as const;

type Locator = { token: string } | { id: string };

/**
 * Keyed registration statements per session at once in this process. Each waits for the session's row
 * lock holding a pool connection (of 20), but the lock is held only while PostgreSQL runs one:
 * a few in flight keep it busy even when this process is slow to send the next; more would only
 * take connections that other requests need.
 */
const IN_FLIGHT_PER_SESSION = 8;
/**
 * The rest queue in memory. A rush of thousands drains in seconds; this bounds the wait when the
 * session stalls (its lock held elsewhere), answering before common 30 s client timeouts.
 */
const MAX_QUEUE_WAIT_MS = 20_000;
/**
 * Batches of registrations without a key per session at once in this process: while one holds
 * the lock the next gathers and waits for it, so PostgreSQL never idles between them.
 */
const BATCHES_PER_SESSION = 2;
/** Keeps one batch's statement (and the lock it holds) to a few milliseconds. */
const MAX_BATCH = 64;

/** Registering, and managing a place: by its secret token (attendees) or by id (staff). */
@Injectable()
export class RegistrationsService {
  private readonly logger = new Logger(RegistrationsService.name);
  /** Keyed registrations: each its own statement (a batch of one). */
  private readonly keyedPerSession = new KeyedBatcher<unknown[], RegisterRow>({
    inFlight: IN_FLIGHT_PER_SESSION,
    maxBatch: 1,
    maxWaitMs: MAX_QUEUE_WAIT_MS,
    timeoutError: () => busy(),
    run: async (_sessionId, [params]) => [(await this.db.query<RegisterRow>(REGISTER_SQL, params))[0]],
  });
  private readonly batches = new KeyedBatcher<BatchItem, BatchResult>({
    inFlight: BATCHES_PER_SESSION,
    maxBatch: MAX_BATCH,
    maxWaitMs: MAX_QUEUE_WAIT_MS,
    timeoutError: () => busy(),
    run: (sessionId, items) => this.registerBatch(sessionId, items),
  });

  constructor(
    private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    sessionChanges: SessionChanges,
  ) {
    // A capacity raised by staff promotes the waitlist in the same transaction.
    sessionChanges.subscribe({ seatsFreed: (tx, sessionId, requestId) => promoteWaitlisted(tx, sessionId, requestId) });
  }

  /**
   * Without an Idempotency-Key a registration joins its session's next batch (REGISTER_BATCH_SQL);
   * with one, one statement (REGISTER_SQL) decides, inserts, counts, stores the Idempotency-Key's answer
   * and writes the email, holding the session's lock only inside PostgreSQL. What the answer
   * needs from Node (id, token) is made and sealed before it; the statement stores it beside the
   * facts it decided, so a replay rebuilds the same body and no key is ever claimed unanswered.
   * `requestId` (the HTTP request's) goes into the email's outbox row.
   */
  async register(
    sessionId: string,
    input: RegisterDto,
    idempotencyKeyHeader: string | string[] | undefined,
    requestId: string,
  ): Promise<RegisterResult> {
    const key = parseIdempotencyKey(idempotencyKeyHeader);
    const idempotency = key === undefined ? undefined : idempotencyMaterial(key, sessionId, { name: input.name, email: input.email });
    if (idempotency) {
      // A retry of a finished request is answered without queueing behind a rush for the session.
      const stored = await findStoredAnswer(this.db, idempotency);
      if (stored) return { body: stored, replayed: true };
    }
    const { token, hash } = newSecretToken();
    const request: AnswerRequestPart = {
      id: randomUUID(),
      name: input.name,
      email: input.email,
      manageToken: token,
      baseUrl: this.config.publicBaseUrl,
    };
    if (!idempotency) {
      const row = await this.batches.submit(sessionId, { request, tokenHash: hash, requestId });
      if ('error' in row) throw row.error;
      if (row.outcome === 'confirmed' || row.outcome === 'waitlisted') return { body: answerBody(request, row.facts!), replayed: false };
      throw refusal(row.outcome);
    }
    const params = [
      sessionId,
      request.id,
      input.name,
      input.email,
      hash,
      idempotency.keyHash,
      idempotency.requestHash,
      sealAnswerRequestPart(idempotency, request),
      requestId,
    ];
    let row: RegisterRow;
    try {
      row = await this.keyedPerSession.submit(sessionId, params);
    } catch (error) {
      // A twin with this key (and another body or session) committed first: its key row decides.
      if (!isUniqueViolation(error)) throw error;
      const stored = await findStoredAnswer(this.db, idempotency);
      if (!stored) throw new ConflictError('This Idempotency-Key is being used by another request; try again');
      return { body: stored, replayed: true };
    }
    const { outcome } = row;
    if (outcome === 'confirmed' || outcome === 'waitlisted') return { body: answerBody(request, row.facts!), replayed: false };
    if (outcome === 'stored') {
      return { body: openStoredAnswer(idempotency, { ...row, response_facts: row.facts }), replayed: true };
    }
    // A twin with this key may have committed while we waited for the lock (so the email now
    // looks taken): its answer, not this refusal, is then the one to give.
    const stored = await findStoredAnswer(this.db, idempotency);
    if (stored) return { body: stored, replayed: true };
    throw refusal(outcome);
  }

  /**
   * One batch in one statement. A twin that committed while the batch waited for the lock leaves
   * its item `conflicted`, and the items behind it judged as if it had taken a place: a seat it
   * would have taken goes to the waitlist's first, and those refused as sold out are judged again.
   * A batch that fails while the database is up is tried again an item at a time, in order, so
   * one item's failure is its own.
   */
  private async registerBatch(sessionId: string, items: BatchItem[]): Promise<BatchResult[]> {
    let rows: BatchRow[];
    try {
      rows = await this.db.query<BatchRow>(REGISTER_BATCH_SQL, [
        sessionId,
        items.map((i) => i.request.id),
        items.map((i) => i.request.name),
        items.map((i) => i.request.email),
        items.map((i) => i.tokenHash),
        items.map((i) => i.requestId),
      ]);
    } catch (error) {
      if (items.length === 1 || isDatabaseUnavailable(error)) throw error;
      const alone: BatchResult[] = [];
      for (const item of items)
        alone.push(
          await this.registerBatch(sessionId, [item]).then(
            ([r]) => r,
            (e: unknown) => ({ error: e }),
          ),
        );
      return alone;
    }
    const raced = rows.findIndex((r) => r.conflicted);
    if (raced < 0) return rows;
    if (rows.some((r) => r.outcome === 'waitlisted')) await this.promoteAfterRace(sessionId, items[raced].requestId);
    const refused = rows.flatMap((r, i) => (r.outcome === 'sold-out' ? [i] : []));
    if (refused.length === 0) return rows;
    // Those placed are committed: a failure here is only the refused items' own.
    const again = await this.registerBatch(
      sessionId,
      refused.map((i) => items[i]),
    ).catch((error: unknown) => refused.map(() => ({ error })));
    return rows.map((row, i) => (row.outcome === 'sold-out' ? again[refused.indexOf(i)] : row));
  }

  /** The batch is committed whatever happens here; a seat left free waits for the next promotion. */
  private async promoteAfterRace(sessionId: string, requestId: string): Promise<void> {
    try {
      await this.db.transaction(async (tx) => {
        await tx.query(LOCK_SESSION_ROW_SQL, [sessionId]);
        await promoteWaitlisted(tx, sessionId, requestId);
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.error(
        `Promoting the waitlist of session ${sessionId} after a registration race failed (request ${requestId}): ${reason}`,
      );
    }
  }

  async getByToken(token: string): Promise<ManagedRegistrationView> {
    const [row] = looksLikeToken(token) ? await this.db.query<RegistrationRow & SessionRow>(MANAGED_SQL(BY_TOKEN), [hashToken(token)]) : [];
    if (!row) throw new NotFoundError('Registration');
    return toManagedView(row, token, this.config.publicBaseUrl, new Date());
  }

  /** DELETE /registrations/:token. Cancelling twice answers the same. */
  async cancelByToken(token: string, requestId: string): Promise<ManagedRegistrationView> {
    if (!looksLikeToken(token)) throw new NotFoundError('Registration');
    return toManagedView(await this.cancel({ token }, requestId), token, this.config.publicBaseUrl, new Date());
  }

  /** Staff cancelling on the attendee's behalf. */
  async cancelById(id: string, requestId: string): Promise<RegistrationView> {
    return toRegistrationView(await this.cancel({ id }, requestId));
  }

  /**
   * One transaction, locking in the same order as registering (session row, then the
   * registration) so the two never deadlock. A confirmed seat freed goes to the first waitlisted.
   */
  private cancel(locator: Locator, requestId: string): Promise<RegistrationRow & SessionRow> {
    const [where, value] = 'token' in locator ? [BY_TOKEN, hashToken(locator.token)] : ['r.id = $1', locator.id];
    return this.db.transaction(async (tx) => {
      const [target] = await tx.query<{ id: string; session_id: string }>(FIND_FOR_CANCEL_SQL(where), [value]);
      if (!target) throw new NotFoundError('Registration');
      await tx.query(LOCK_SESSION_ROW_SQL, [target.session_id]);
      const [{ status }] = await tx.query<{ status: RegistrationStatus }>(LOCK_REGISTRATION_SQL, [target.id]);
      if (status !== 'cancelled') {
        await tx.query(CANCEL_SQL, [target.id]);
        await tx.query(UNCOUNT_SQL, [target.session_id, status]);
        if (status === 'confirmed') await promoteWaitlisted(tx, target.session_id, requestId);
        // Email outbox: "your place is cancelled", in this transaction.
        await enqueueMessages(
          tx,
          [{ registrationId: target.id, kind: 'cancelled', details: { by: 'token' in locator ? 'attendee' : 'staff', from: status } }],
          requestId,
        );
      }
      const [row] = await tx.query<RegistrationRow & SessionRow>(MANAGED_SQL('r.id = $1'), [target.id]);
      return row;
    });
  }
}

function busy(): ServiceUnavailableError {
  return new ServiceUnavailableError('This session is taking very many registrations at once; try again shortly');
}

/** The domain error for a refusal the registration statement decided. */
function refusal(outcome: Exclude<RegistrationOutcome, 'confirmed' | 'waitlisted'>): DomainError {
  switch (outcome) {
    case 'not-found':
      return new NotFoundError('Session');
    case 'cancelled':
    case 'past':
    case 'closed':
      return new RegistrationClosedError(CLOSED_DETAIL[outcome]);
    case 'already-registered':
      return new AlreadyRegisteredError();
    case 'sold-out':
      return new SoldOutError();
  }
}
