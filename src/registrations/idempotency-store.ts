import { Injectable } from '@nestjs/common';
import { ConflictError, IdempotencyConflictError } from '../common/errors';
import { Database, type Queryable } from '../database/database';
import { HourlySweep } from '../database/hourly-sweep';
import type { RegistrationCreatedView } from './dto/views';
import { IdempotencyMaterial, openResponse, sealResponse } from './idempotency';
import { AnswerFacts, answerBody, AnswerRequestPart } from './registration-answer';
import { STORED_RESPONSE_SQL, SWEEP_KEYS_SQL } from './registrations.queries';

/** The key row's answer columns, as STORED_RESPONSE_SQL and the registration statement give them. */
export interface StoredAnswerRow {
  request_hash: Buffer;
  response_status: number | null;
  response_body: Buffer | null;
  response_facts: AnswerFacts | null;
}

/** The answer stored for this key, if any (one read, no lock); 422 when the key came with another request. */
export async function findStoredAnswer(db: Queryable, k: IdempotencyMaterial): Promise<RegistrationCreatedView | undefined> {
  const [stored] = await db.query<StoredAnswerRow>(STORED_RESPONSE_SQL, [k.keyHash]);
  return stored && openStoredAnswer(k, stored);
}

/** The first answer again, from its key row; 422 when the key came with another request. */
export function openStoredAnswer(k: IdempotencyMaterial, stored: StoredAnswerRow): RegistrationCreatedView {
  if (!stored.request_hash.equals(k.requestHash)) throw new IdempotencyConflictError();
  // Claim and answer commit together, so an unanswered key is never visible; kept as a guard.
  if (stored.response_status === null || stored.response_body === null) {
    throw new ConflictError('The first request with this Idempotency-Key has not finished');
  }
  const sealed = JSON.parse(openResponse(k.cipherKey, stored.response_body, k.requestHash)) as unknown;
  // Rows stored before IdempotencyAnswerFacts hold the whole answer, sealed.
  if (stored.response_facts === null) return sealed as RegistrationCreatedView;
  return answerBody(sealed as AnswerRequestPart, stored.response_facts);
}

/** The request part of the answer, sealed with the key, for the registration statement to store. */
export function sealAnswerRequestPart(k: IdempotencyMaterial, request: AnswerRequestPart): Buffer {
  return sealResponse(k.cipherKey, JSON.stringify(request), k.requestHash);
}

/** Keys are honoured for at least 24 hours; older than this they may be deleted. */
export const IDEMPOTENCY_KEY_RETENTION_HOURS = 48;

/** Deletes idempotency keys past their retention. */
@Injectable()
export class IdempotencyKeySweeper extends HourlySweep {
  constructor(db: Database) {
    super(db, 'Expired idempotency keys', SWEEP_KEYS_SQL, [IDEMPOTENCY_KEY_RETENTION_HOURS]);
  }
}
