import type { Queryable } from '../database/database';
import { enqueueMessages } from '../mail/outbox.queries';
import { PROMOTE_SQL, SESSION_COUNTS_SQL } from './registrations.queries';

/** How many waitlisted people fit now: all of them when unlimited, else the free seats. */
export function seatsToPromote(capacity: number | null, confirmed: number, waitlisted: number): number {
  if (capacity === null) return waitlisted;
  return Math.max(0, Math.min(waitlisted, capacity - confirmed));
}

/**
 * Moves the first waitlisted registrations (first come, first served) into the free seats. The
 * caller's transaction must hold the session's row lock.
 */
export async function promoteWaitlisted(tx: Queryable, sessionId: string, requestId: string): Promise<number> {
  const [session] = await tx.query<{ capacity: number | null; confirmed_count: number; waitlisted_count: number }>(SESSION_COUNTS_SQL, [
    sessionId,
  ]);
  const n = session ? seatsToPromote(session.capacity, session.confirmed_count, session.waitlisted_count) : 0;
  if (n === 0) return 0;
  const [{ promoted }] = await tx.query<{ promoted: string[] }>(PROMOTE_SQL, [sessionId, n]);
  // Email outbox: "you have a place", in the promoting transaction.
  await enqueueMessages(
    tx,
    promoted.map((id) => ({ registrationId: id, kind: 'promoted' })),
    requestId,
  );
  return n;
}
