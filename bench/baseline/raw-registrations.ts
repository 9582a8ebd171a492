import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { batcher } from './batches';
import type { Reply } from './registrations';
import { OPEN, PLACE_CTES } from './registrations';

/**
 * The registration references: the same rows written as the service writes them (a place under
 * the session's counters, the registration, its mail in the outbox) with the least code around
 * them and a minimal answer. No idempotency key, no full answer. Two shapes, to show what holding
 * the row lock across round trips costs:
 * - a transaction: BEGIN; conditional UPDATE of the counters; INSERT; COMMIT (the lock is held
 *   from the UPDATE until the COMMIT arrives, i.e. across two round trips through Node);
 * - one statement in autocommit (the lock is held only inside PostgreSQL), also without its
 *   outbox row, to show what that row costs;
 * - batched as the service batches (those arriving while the session is busy placed together by
 *   one statement), also without the outbox rows, to price them on the service's path.
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

/**
 * A batch for session $1 ($2 ids, $3 names, $4 emails, $5 token hashes, $6 request ids): seat or
 * waitlist each in arrival order, insert (a repeat email does nothing), count; `mail` adds the
 * outbox rows, each waitlisted one with its position.
 */
const batchStatement = (mail: boolean): { name: string; text: string } => ({
  name: mail ? 'raw-batch' : 'raw-batch-without-mail',
  text: `
  WITH input AS (
    SELECT * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::bytea[], $6::varchar[]) WITH ORDINALITY AS i (id, name, email, token_hash, request_id, n)
  ), locked AS MATERIALIZED (
    SELECT s.capacity, s.confirmed_count, s.waitlisted_count, s.waitlist_enabled, ${OPEN} AS open
      FROM sessions s JOIN events e ON e.id = s.event_id WHERE s.id = $1 FOR UPDATE OF s
  ), decided AS (
    SELECT i.*, CASE WHEN l.capacity IS NULL OR l.confirmed_count + i.n - 1 < l.capacity THEN 'confirmed'
                     WHEN l.waitlist_enabled THEN 'waitlisted' END AS placed
      FROM input i CROSS JOIN locked l WHERE l.open
  ), registered AS (
    INSERT INTO registrations (id, session_id, name, email, status, manage_token_hash)
    SELECT id, $1, name, email, placed, token_hash FROM decided WHERE placed IS NOT NULL ORDER BY n
    ON CONFLICT (session_id, lower(email)) WHERE status IN ('confirmed', 'waitlisted') DO NOTHING
    RETURNING id, status
  ), counted AS (
    UPDATE sessions SET confirmed_count = confirmed_count + (SELECT count(*) FROM registered WHERE status = 'confirmed'),
                        waitlisted_count = waitlisted_count + (SELECT count(*) FROM registered WHERE status = 'waitlisted')
     WHERE id = $1
  )${
    mail
      ? `, mailed AS (
    INSERT INTO mail_outbox (registration_id, kind, details, request_id)
    SELECT r.id, r.status, CASE WHEN r.status = 'waitlisted' THEN jsonb_build_object('position', l.waitlisted_count + r.wl) END, r.request_id
      FROM (SELECT r.id, r.status, d.request_id, count(*) FILTER (WHERE r.status = 'waitlisted') OVER (ORDER BY d.n) AS wl
              FROM registered r JOIN decided d ON d.id = r.id) r CROSS JOIN locked l
  )`
      : ''
  }
  SELECT id, status FROM registered`,
});
const BATCH = batchStatement(true);
const BATCH_WITHOUT_MAIL = batchStatement(false);

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

interface BatchItem {
  pool: Pool;
  sessionId: string;
  id: string;
  input: Input;
  mail: boolean;
}

const placeInBatch = batcher(
  async (_shapeAndSession: string, items: BatchItem[]): Promise<({ id: string; status: string } | undefined)[]> => {
    // Items of a batch share pool, session and shape: the key is both of the latter.
    const { rows } = await items[0].pool.query<{ id: string; status: string }>({
      ...(items[0].mail ? BATCH : BATCH_WITHOUT_MAIL),
      values: [
        items[0].sessionId,
        items.map((i) => i.id),
        items.map((i) => i.input.name),
        items.map((i) => i.input.email),
        items.map(() => tokenHash()),
        items.map(() => randomUUID()),
      ],
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return items.map((i) => byId.get(i.id));
  },
);

/** Batched as the service batches; `mail: false` leaves out the outbox rows and nothing else. */
export async function registerInBatch(pool: Pool, sessionId: string, body: unknown, mail: boolean): Promise<Reply> {
  const i = input(body);
  if (!i) return BAD;
  const row = await placeInBatch(`${mail} ${sessionId}`, { pool, sessionId, id: randomUUID(), input: i, mail });
  return row ? created(row) : refused('not open, sold out, or already registered');
}
