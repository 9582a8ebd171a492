import { Injectable } from '@nestjs/common';
import { ConflictError, IdempotencyConflictError } from '../common/errors';
import { Database, type Queryable } from '../database/database';
import { HourlySweep } from '../database/hourly-sweep';
import { IdempotencyMaterial, openResponse, sealResponse } from './idempotency';
import { STORED_RESPONSE_SQL, SWEEP_KEYS_SQL } from './registrations.queries';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * The answer stored for this key, if any; 422 when the key came with another request. Outside a
 * transaction this is the cheap path for retries: one read, no lock, no connection held.
 */
export async function findStoredResponse(db: Queryable, k: IdempotencyMaterial): Promise<StoredResponse | undefined> {
  const [stored] = await db.query<{ request_hash: Buffer; response_status: number | null; response_body: Buffer | null }>(
    STORED_RESPONSE_SQL,
    [k.keyHash],
  );
  if (!stored) return undefined;
  if (!stored.request_hash.equals(k.requestHash)) throw new IdempotencyConflictError();
  // Claim and answer commit together, so an unanswered key is never visible; kept as a guard.
  if (stored.response_status === null || stored.response_body === null) {
    throw new ConflictError('The first request with this Idempotency-Key has not finished');
  }
  return { status: stored.response_status, body: JSON.parse(openResponse(k.cipherKey, stored.response_body, k.requestHash)) };
}

/** The answer to store with the key (by the registration's own INSERT), sealed with the key. */
export function sealIdempotentResponse(k: IdempotencyMaterial, body: unknown): Buffer {
  return sealResponse(k.cipherKey, JSON.stringify(body), k.requestHash);
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
