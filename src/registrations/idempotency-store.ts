import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConflictError, IdempotencyConflictError } from '../common/errors';
import { SqlClient } from '../database/sql-client';
import { IdempotencyMaterial, openResponse, sealResponse } from './idempotency';
import type { SqlRows } from './sql-rows';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * The answer stored for this key, if any; 422 when the key came with another request. Outside a
 * transaction this is the cheap path for retries: one read, no lock, no connection held.
 */
export async function findStoredResponse(db: SqlRows, k: IdempotencyMaterial): Promise<StoredResponse | undefined> {
  const [stored] = await db.query<{ request_hash: Buffer; response_status: number | null; response_body: Buffer | null }>(
    `SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE key_hash = $1`,
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

/**
 * Claims the key inside the caller's transaction, or returns the answer stored for it.
 *
 * A concurrent request holding the same key blocks our INSERT on the primary key until it
 * ends: if it committed, we find its answer; if it rolled back (only successful answers are
 * stored), the key is free again and we claim it. Either way one registration per key.
 */
export async function claimIdempotencyKey(tx: SqlRows, k: IdempotencyMaterial): Promise<StoredResponse | null> {
  // Two rounds: the stored row can vanish between our INSERT and SELECT only by expiring.
  for (let attempt = 0; attempt < 2; attempt++) {
    const claimed = await tx.query(
      `INSERT INTO idempotency_keys (key_hash, request_hash) VALUES ($1, $2) ON CONFLICT (key_hash) DO NOTHING RETURNING 1`,
      [k.keyHash, k.requestHash],
    );
    if (claimed.length === 1) return null;
    const stored = await findStoredResponse(tx, k);
    if (stored) return stored;
  }
  throw new Error('Idempotency key could not be claimed');
}

/** Stores the answer on the claimed key, in the same transaction as the registration it describes. */
export async function saveIdempotentResponse(tx: SqlRows, k: IdempotencyMaterial, response: StoredResponse): Promise<void> {
  await tx.query(`UPDATE idempotency_keys SET response_status = $2, response_body = $3 WHERE key_hash = $1`, [
    k.keyHash,
    response.status,
    sealResponse(k.cipherKey, JSON.stringify(response.body), k.requestHash),
  ]);
}

/** Keys are honoured for at least 24 hours; older than this they may be deleted. */
export const IDEMPOTENCY_KEY_RETENTION_HOURS = 48;
const SWEEP_EVERY_MS = 60 * 60 * 1000;
const FIRST_SWEEP_MS = 60 * 1000;

/**
 * Deletes expired idempotency keys hourly (first a minute after start). Every instance sweeps;
 * the DELETE is idempotent and uses idempotency_keys_created_at_idx. Timers are unref'd so
 * they never hold the process open.
 */
@Injectable()
export class IdempotencyKeySweeper implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('IdempotencyKeySweeper');
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly sql: SqlClient) {}

  onModuleInit(): void {
    this.timers.push(setTimeout(() => void this.sweep(), FIRST_SWEEP_MS).unref());
    this.timers.push(setInterval(() => void this.sweep(), SWEEP_EVERY_MS).unref());
  }

  onModuleDestroy(): void {
    this.timers.forEach(clearTimeout);
    this.timers = [];
  }

  async sweep(): Promise<number> {
    try {
      const [{ deleted }] = await this.sql.query<{ deleted: number }>(
        `WITH gone AS (DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1) RETURNING 1)
         SELECT count(*)::int AS deleted FROM gone`,
        [IDEMPOTENCY_KEY_RETENTION_HOURS],
      );
      return deleted;
    } catch (error) {
      // The database may be away for a while; the next sweep catches up.
      this.logger.warn(`Expired idempotency keys not deleted: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    }
  }
}
