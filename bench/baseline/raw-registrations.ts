import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Reply } from './registrations';
import { PLACE_CTES } from './registrations';

/**
 * The registration references: the same rows written as the service writes them (a place under
 * the session's counters, the registration, its mail in the outbox) with the least code around
 * them and a minimal answer. No idempotency key, no full answer. Two shapes, to show what holding
 * the row lock across round trips costs:
 * - a transaction: BEGIN; conditional UPDATE of the counters; INSERT; COMMIT (the lock is held
 *   from the UPDATE until the COMMIT arrives, i.e. across two round trips through Node);
 * - one statement in autocommit (the lock is held only inside PostgreSQL), also without its
 *   outbox row, to show what that row costs.
 */

/**
 * The outbox row the service writes with a registration (registrationMailCte): the message's
 * kind is the place taken, a waitlisted one carries its position, and the row names the request.
 */
const mailRow = (from: string, details: string, requestId: string): string => `
  INSERT INTO mail_outbox (registration_id, kind, details, request_id)
  SELECT r.id, r.status::varchar, ${details}::jsonb, ${requestId}::varchar FROM ${from}`;
const POSITION = `CASE WHEN r.status = 'waitlisted' THEN jsonb_build_object('position', p.waitlisted_count) END`;

const PLACE = { name: 'raw-place', text: `${PLACE_CTES('s.id, s.waitlisted_count')} SELECT id, placed, waitlisted_count FROM placed` };
const INSERT = {
  name: 'raw-insert',
  text: `WITH registered AS (
      INSERT INTO registrations (session_id, name, email, status, manage_token_hash)
      VALUES ($1, $2, $3, $4, $5) RETURNING id, status
    ), mailed AS (${mailRow('registered r', '$6', '$7')})
    SELECT id, status FROM registered`,
};
const REGISTERED = `, registered AS (
      INSERT INTO registrations (session_id, name, email, status, manage_token_hash)
      SELECT id, $2, $3, placed, $4 FROM placed RETURNING id, status
    )`;
const REGISTER = {
  name: 'raw-register',
  text: `${PLACE_CTES('s.id, s.waitlisted_count')}${REGISTERED}, mailed AS (
      ${mailRow('registered r CROSS JOIN placed p', POSITION, '$5')}
    )
    SELECT id, status FROM registered`,
};
/** The same statement without its outbox row. */
const REGISTER_WITHOUT_MAIL = {
  name: 'raw-register-without-mail',
  text: `${PLACE_CTES('s.id')}${REGISTERED}
    SELECT id, status FROM registered`,
};

interface Input {
  name: string;
  email: string;
}

function input(body: unknown): Input | null {
  const b = body as Partial<Record<string, unknown>> | null;
  return typeof b?.name === 'string' && typeof b.email === 'string' ? { name: b.name, email: b.email } : null;
}

const tokenHash = (): Buffer => createHash('sha256').update(randomBytes(32).toString('base64url')).digest();
const created = (row: { id: string; status: string }): Reply => ({ status: 201, body: JSON.stringify(row) });
const refused = (why: string): Reply => ({ status: 409, body: JSON.stringify({ status: 409, detail: why }) });
const BAD: Reply = { status: 400, body: '{"status":400}' };

export async function registerInTransaction(pool: Pool, sessionId: string, body: unknown): Promise<Reply> {
  const i = input(body);
  if (!i) return BAD;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const placed = await client.query<{ id: string; placed: string; waitlisted_count: number }>({ ...PLACE, values: [sessionId] });
    const place = placed.rows[0];
    if (!place) {
      await client.query('ROLLBACK');
      return refused('not open, or sold out');
    }
    const details = place.placed === 'waitlisted' ? JSON.stringify({ position: place.waitlisted_count }) : null;
    const { rows } = await client.query<{ id: string; status: string }>({
      ...INSERT,
      values: [sessionId, i.name, i.email, place.placed, tokenHash(), details, randomUUID()],
    });
    await client.query('COMMIT');
    return created(rows[0]);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if ((err as { code?: string }).code === '23505') return refused('already registered');
    throw err;
  } finally {
    client.release();
  }
}

/** One statement in autocommit; `mail: false` leaves out the outbox row and nothing else. */
export async function registerInOneStatement(pool: Pool, sessionId: string, body: unknown, mail: boolean): Promise<Reply> {
  const i = input(body);
  if (!i) return BAD;
  const values = [sessionId, i.name, i.email, tokenHash()];
  try {
    const { rows } = await pool.query<{ id: string; status: string }>(
      mail ? { ...REGISTER, values: [...values, randomUUID()] } : { ...REGISTER_WITHOUT_MAIL, values },
    );
    return rows.length === 0 ? refused('not open, or sold out') : created(rows[0]);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') return refused('already registered');
    throw err;
  }
}
