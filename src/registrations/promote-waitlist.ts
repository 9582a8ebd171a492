import type { EntityManager } from 'typeorm';
import { enqueueMessages } from '../mail/outbox.queries';

/** How many waitlisted people fit now: all of them when unlimited, else the free seats. */
export function seatsToPromote(capacity: number | null, confirmed: number, waitlisted: number): number {
  if (capacity === null) return waitlisted;
  return Math.max(0, Math.min(waitlisted, capacity - confirmed));
}

/**
 * Moves the first waitlisted registrations (by queue_number: first come, first served) into
 * the free seats. The caller's transaction must hold the session's row lock.
 */
export async function promoteWaitlisted(m: EntityManager, sessionId: string): Promise<number> {
  const [session]: { capacity: number | null; confirmed_count: number; waitlisted_count: number }[] = await m.query(
    `SELECT capacity, confirmed_count, waitlisted_count FROM sessions WHERE id = $1`,
    [sessionId],
  );
  const n = session ? seatsToPromote(session.capacity, session.confirmed_count, session.waitlisted_count) : 0;
  if (n === 0) return 0;
  const [{ promoted }]: { promoted: string[] }[] = await m.query(
    `WITH next AS (
       SELECT id FROM registrations WHERE session_id = $1 AND status = 'waitlisted' ORDER BY queue_number LIMIT $2
     ), promoted AS (
       UPDATE registrations r SET status = 'confirmed', promoted_at = now(), updated_at = now()
         FROM next WHERE r.id = next.id RETURNING r.id
     ), counted AS (
       UPDATE sessions SET confirmed_count = confirmed_count + (SELECT count(*) FROM promoted),
                           waitlisted_count = waitlisted_count - (SELECT count(*) FROM promoted)
        WHERE id = $1
     )
     SELECT coalesce(array_agg(id::text), '{}') AS promoted FROM promoted`,
    [sessionId, n],
  );
  // Email outbox (issue 12): "you have a place", in the promoting transaction.
  await enqueueMessages(
    m,
    promoted.map((id) => ({ registrationId: id, kind: 'promoted' })),
  );
  return n;
}
