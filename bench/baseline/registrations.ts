import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { batcher } from './batches';
import { HttpProblem, problemBody, UUID } from './http';
import { isValidKey, type KeyMaterial, keyMaterial, open, seal } from './idempotency';
import { closedReason, SESSION_COLUMNS, sessionJson, type SessionRow } from './sessions';

export interface Reply {
  status: number;
  body: string;
}

interface RegistrationInput {
  name: string;
  email: string;
}

type Placed = SessionRow & { placed: 'confirmed' | 'waitlisted' };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// eslint-disable-next-line no-control-regex -- names may not hold control characters, as in the service
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function validate(body: unknown): RegistrationInput {
  const errors: { field: string; message: string }[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpProblem(400, 'validation', 'Invalid request', 'The body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) if (key !== 'name' && key !== 'email') errors.push({ field: key, message: 'is not allowed' });
  const name = typeof b.name === 'string' ? b.name.trim() : '';
  if (name.length < 1 || name.length > 200 || CONTROL.test(name)) errors.push({ field: 'name', message: 'must be 1 to 200 characters' });
  const email = typeof b.email === 'string' ? b.email.trim() : '';
  if (email.length > 254 || !EMAIL.test(email)) errors.push({ field: 'email', message: 'must be a valid email address' });
  if (errors.length > 0) throw new HttpProblem(400, 'validation', 'Invalid request', undefined, errors);
  return { name, email };
}

/** Open for registration now: the same rules as the service's (and closedReason below). */
export const OPEN = `e.status = 'published' AND s.status = 'scheduled' AND s.starts_at > now()
  AND (s.registration_opens_at IS NULL OR s.registration_opens_at <= now())
  AND (s.registration_closes_at IS NULL OR s.registration_closes_at > now())`;

/**
 * Takes a place in session $1: locks its row (FOR UPDATE waits for the holder, then reads the
 * row as it committed), decides seat or waitlist from that row, and moves the counter, all in one
 * statement, so the lock is held only inside PostgreSQL. `placed` is the session as updated,
 * with `returning` columns; no row when registration is closed or it is sold out.
 */
export const PLACE_CTES = (returning: string): string => `
  WITH locked AS (
    SELECT s.id, s.capacity IS NULL OR s.confirmed_count < s.capacity AS seat, s.waitlist_enabled, ${OPEN} AS open
      FROM sessions s JOIN events e ON e.id = s.event_id
     WHERE s.id = $1
       FOR UPDATE OF s
  ), placed AS (
    UPDATE sessions s
       SET confirmed_count = s.confirmed_count + l.seat::int, waitlisted_count = s.waitlisted_count + (NOT l.seat)::int
      FROM locked l, events e
     WHERE s.id = l.id AND e.id = s.event_id AND l.open AND (l.seat OR l.waitlist_enabled)
    RETURNING (CASE WHEN l.seat THEN 'confirmed' ELSE 'waitlisted' END)::varchar AS placed, ${returning}
  )`;

/**
 * Without a key, registrations that arrive while their session is busy are placed together, as
 * the service does: one statement per batch locks the session, seats or waitlists each item in
 * arrival order, inserts (a repeat email does nothing), counts and queues the mail. Each row
 * carries the counts as they stood after its item (c, wl: placed so far in the batch).
 */
const REGISTER_BATCH = {
  name: 'baseline-register-batch',
  text: `
  WITH input AS (
    SELECT * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::bytea[], $6::timestamptz[], $7::varchar[])
      WITH ORDINALITY AS i (id, name, email, token_hash, created_at, request_id, n)
  ), locked AS MATERIALIZED (
    SELECT ${SESSION_COLUMNS}, ${OPEN} AS open FROM sessions s JOIN events e ON e.id = s.event_id WHERE s.id = $1 FOR UPDATE OF s
  ), decided AS (
    SELECT i.*, CASE WHEN l.capacity IS NULL OR l.confirmed_count + i.n - 1 < l.capacity THEN 'confirmed'
                     WHEN l.waitlist_enabled THEN 'waitlisted' END AS placed
      FROM input i CROSS JOIN locked l WHERE l.open
  ), registered AS (
    INSERT INTO registrations (id, session_id, name, email, status, manage_token_hash, created_at)
    SELECT id, $1, name, email, placed, token_hash, created_at FROM decided WHERE placed IS NOT NULL ORDER BY n
    ON CONFLICT (session_id, lower(email)) WHERE status IN ('confirmed', 'waitlisted') DO NOTHING
    RETURNING id, status
  ), numbered AS (
    SELECT d.n, r.id, r.status, d.request_id,
           count(*) FILTER (WHERE r.status = 'confirmed') OVER upto AS c, count(*) FILTER (WHERE r.status = 'waitlisted') OVER upto AS wl
      FROM registered r JOIN decided d ON d.id = r.id WINDOW upto AS (ORDER BY d.n)
  ), counted AS (
    UPDATE sessions SET confirmed_count = confirmed_count + (SELECT count(*) FROM registered WHERE status = 'confirmed'),
                        waitlisted_count = waitlisted_count + (SELECT count(*) FROM registered WHERE status = 'waitlisted')
     WHERE id = $1
  ), mailed AS (
    INSERT INTO mail_outbox (registration_id, kind, details, request_id)
    SELECT nb.id, nb.status, CASE WHEN nb.status = 'waitlisted' THEN jsonb_build_object('position', l.waitlisted_count + nb.wl) END, nb.request_id
      FROM numbered nb CROSS JOIN locked l
  )
  SELECT nb.n::int, nb.status AS placed, nb.c::int, nb.wl::int, l.* FROM numbered nb CROSS JOIN locked l`,
};

/** With a key the answer is sealed before it is stored, so placing and inserting are two statements of one transaction. */
const PLACE = { name: 'baseline-place', text: `${PLACE_CTES(SESSION_COLUMNS)} SELECT * FROM placed` };
const INSERT_KEYED = {
  name: 'baseline-insert-keyed',
  text: `
  WITH keyed AS (
    INSERT INTO idempotency_keys (key_hash, request_hash, response_status, response_body)
    VALUES ($7, $8, 201, $9) ON CONFLICT (key_hash) DO NOTHING RETURNING 1
  ), registered AS (
    INSERT INTO registrations (id, session_id, name, email, status, manage_token_hash, created_at)
    SELECT $1, $2, $3, $4, $5, $6, $10 WHERE EXISTS (SELECT 1 FROM keyed)
    RETURNING id, status
  ), mailed AS (
    INSERT INTO mail_outbox (registration_id, kind, details, request_id) SELECT id, status, $11::jsonb, $12::varchar FROM registered
  )
  SELECT (SELECT count(*) FROM keyed)::int AS keyed`,
};
const STORED = {
  name: 'baseline-stored-answer',
  text: 'SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE key_hash = $1',
};
/** Only when no place was taken: why not. */
const WHY_NOT = {
  name: 'baseline-why-not',
  text: `SELECT ${SESSION_COLUMNS}, EXISTS (
      SELECT 1 FROM registrations r
       WHERE r.session_id = s.id AND lower(r.email) = lower($2) AND r.status IN ('confirmed', 'waitlisted')) AS already
    FROM sessions s JOIN events e ON e.id = s.event_id WHERE s.id = $1`,
};

const CLOSED_DETAIL = {
  cancelled: 'This session is cancelled',
  past: 'This session is over',
  closed: 'Registration is not open: the session has started, or it is outside its registration window',
} as const;
const ALREADY = new HttpProblem(409, 'already-registered', 'Already registered', 'This email already holds a place in this session');

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** `POST /sessions/:id/registrations`, answering what the service answers. */
export async function register(
  pool: Pool,
  sessionId: string,
  rawBody: unknown,
  idempotencyKey: string | undefined,
  baseUrl: string,
): Promise<Reply> {
  if (!UUID.test(sessionId)) throw new HttpProblem(404, 'not-found', 'Not found', 'Session not found');
  const input = validate(rawBody);
  if (idempotencyKey === undefined) return registerUnkeyed(pool, sessionId, input, baseUrl);
  if (!isValidKey(idempotencyKey)) {
    throw new HttpProblem(400, 'validation', 'Invalid request', 'The Idempotency-Key header is not valid', [
      { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters, without spaces' },
    ]);
  }
  const key = keyMaterial(idempotencyKey, sessionId, input.name, input.email);
  // A retry of a finished request is answered without queueing for the session's row.
  return (await storedAnswer(pool, key)) ?? registerKeyed(pool, sessionId, input, key, baseUrl);
}

interface BatchItem {
  pool: Pool;
  id: string;
  input: RegistrationInput;
  tokenHash: Buffer;
  now: Date;
}
type BatchRow = SessionRow & { n: number; placed: Placed['placed']; c: number; wl: number };

const placeInBatch = batcher(async (sessionId: string, items: BatchItem[]): Promise<(BatchRow | undefined)[]> => {
  // The server has one pool; every item carries it.
  const { rows } = await items[0].pool.query<BatchRow>({
    ...REGISTER_BATCH,
    values: [
      sessionId,
      items.map((i) => i.id),
      items.map((i) => i.input.name),
      items.map((i) => i.input.email),
      items.map((i) => i.tokenHash),
      items.map((i) => i.now),
      items.map(() => randomUUID()),
    ],
  });
  const byN = new Map(rows.map((r) => [r.n, r]));
  return items.map((_, i) => byN.get(i + 1));
});

async function registerUnkeyed(pool: Pool, sessionId: string, input: RegistrationInput, baseUrl: string): Promise<Reply> {
  const id = randomUUID();
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  const row = await placeInBatch(sessionId, { pool, id, input, tokenHash: sha256(token), now });
  if (!row) throw await whyNot(pool, sessionId, input.email);
  const placed: Placed = { ...row, confirmed_count: row.confirmed_count + row.c, waitlisted_count: row.waitlisted_count + row.wl };
  return { status: 201, body: JSON.stringify(answer(placed, id, input, token, now, baseUrl)) };
}

async function registerKeyed(pool: Pool, sessionId: string, input: RegistrationInput, key: KeyMaterial, baseUrl: string): Promise<Reply> {
  const id = randomUUID();
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  const client = await pool.connect();
  let keyTaken = false;
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<Placed>({ ...PLACE, values: [sessionId] });
    if (rows.length === 0) {
      await client.query('ROLLBACK');
      throw await whyNot(pool, sessionId, input.email);
    }
    const placed = rows[0];
    const body = JSON.stringify(answer(placed, id, input, token, now, baseUrl));
    const details = placed.placed === 'waitlisted' ? JSON.stringify({ position: placed.waitlisted_count }) : null;
    const inserted = await insertKeyed(client, [
      id,
      sessionId,
      input.name,
      input.email,
      placed.placed,
      sha256(token),
      key.keyHash,
      key.requestHash,
      seal(key, body),
      now,
      details,
      randomUUID(),
    ]);
    keyTaken = inserted === 0;
    await client.query(keyTaken ? 'ROLLBACK' : 'COMMIT');
    if (!keyTaken) return { status: 201, body };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    // A twin with this key may have committed first: its answer is the one to give.
    if (!(err instanceof HttpProblem)) throw err;
    return (await storedAnswer(pool, key)) ?? problemReply(baseUrl, err);
  } finally {
    client.release();
  }
  const stored = await storedAnswer(pool, key);
  if (!stored) throw new HttpProblem(409, 'conflict', 'Conflict', 'This Idempotency-Key is being used by another request; try again');
  return stored;
}

async function insertKeyed(client: PoolClient, values: unknown[]): Promise<number> {
  try {
    const { rows } = await client.query<{ keyed: number }>({ ...INSERT_KEYED, values });
    return rows[0].keyed;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw ALREADY;
    throw err;
  }
}

function problemReply(baseUrl: string, p: HttpProblem): Reply {
  return { status: p.status, body: JSON.stringify(problemBody(baseUrl, p)) };
}

async function storedAnswer(pool: Pool, key: KeyMaterial): Promise<Reply | null> {
  const { rows } = await pool.query<{ request_hash: Buffer; response_status: number; response_body: Buffer }>({
    ...STORED,
    values: [key.keyHash],
  });
  const stored = rows[0];
  if (!stored) return null;
  if (!stored.request_hash.equals(key.requestHash)) {
    throw new HttpProblem(
      422,
      'idempotency-conflict',
      'Idempotency key reused',
      'This Idempotency-Key was already used with a different request',
    );
  }
  return { status: stored.response_status, body: open(key, stored.response_body) };
}

/** The refusal the service gives, read only after no place could be taken. */
async function whyNot(pool: Pool, sessionId: string, email: string): Promise<HttpProblem> {
  const { rows } = await pool.query<SessionRow & { already: boolean }>({ ...WHY_NOT, values: [sessionId, email] });
  const s = rows[0];
  if (!s || s.event_status === 'draft') return new HttpProblem(404, 'not-found', 'Not found', 'Session not found');
  const closed = closedReason(s, Date.now());
  if (closed) return new HttpProblem(409, 'registration-closed', 'Registration closed', CLOSED_DETAIL[closed]);
  if (s.already) return ALREADY;
  if (s.capacity !== null && s.confirmed_count >= s.capacity && !s.waitlist_enabled) {
    return new HttpProblem(409, 'sold-out', 'Sold out', 'No seats are left in this session and it has no waitlist');
  }
  return new HttpProblem(409, 'conflict', 'Conflict', 'The session changed while registering; try again');
}

/** The service's RegistrationCreatedView, key for key. */
function answer(s: Placed, id: string, input: RegistrationInput, token: string, now: Date, baseUrl: string): Record<string, unknown> {
  const manage = `${baseUrl}/registrations/${token}`;
  return {
    id,
    status: s.placed,
    waitlistPosition: s.placed === 'waitlisted' ? s.waitlisted_count : null,
    name: input.name,
    email: input.email,
    session: sessionJson(s, baseUrl, now.getTime()),
    checkedInAt: null,
    createdAt: now.toISOString(),
    cancelledAt: null,
    links: { manage, ics: `${manage}/calendar.ics` },
    manageToken: token,
  };
}
