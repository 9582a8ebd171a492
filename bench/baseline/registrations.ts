import { createHash, randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { HttpProblem, problemBody, UUID } from './http';
import { closedReason, SESSION_COLUMNS, sessionJson, type SessionRow } from './sessions';

export interface Reply {
  status: number;
  body: string;
}

interface RegistrationInput {
  name: string;
  email: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validate(body: unknown): RegistrationInput {
  const errors: { field: string; message: string }[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpProblem(400, 'validation', 'Invalid request', 'The body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) if (key !== 'name' && key !== 'email') errors.push({ field: key, message: 'is not allowed' });
  const name = typeof b.name === 'string' ? b.name.trim() : '';
  if (name.length < 1 || name.length > 200) errors.push({ field: 'name', message: 'must be 1 to 200 characters' });
  const email = typeof b.email === 'string' ? b.email.trim() : '';
  if (email.length > 254 || !EMAIL.test(email)) errors.push({ field: 'email', message: 'must be a valid email address' });
  if (errors.length > 0) throw new HttpProblem(400, 'validation', 'Invalid request', undefined, errors);
  return { name, email };
}

const sha256 = (s: string | Buffer): Buffer => createHash('sha256').update(s).digest();

/**
 * `POST /sessions/:id/registrations` as one transaction: lock the session row, check, insert, count.
 * With an `Idempotency-Key`, the key row is claimed first in the same transaction and the answer
 * (success or domain error) is stored on it, so a replay returns the first answer byte for byte.
 */
export async function register(
  pool: Pool,
  sessionId: string,
  rawBody: unknown,
  idempotencyKey: string | undefined,
  baseUrl: string,
): Promise<Reply> {
  if (!UUID.test(sessionId)) throw new HttpProblem(404, 'not-found', 'Not found', 'No such session');
  const input = validate(rawBody);
  if (idempotencyKey !== undefined && (idempotencyKey.length < 1 || idempotencyKey.length > 255)) {
    throw new HttpProblem(400, 'validation', 'Invalid request', undefined, [
      { field: 'Idempotency-Key', message: 'must be 1 to 255 characters' },
    ]);
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const keyHash = idempotencyKey === undefined ? null : sha256(`${sessionId}\n${idempotencyKey}`);
    if (keyHash) {
      const replay = await claimKey(client, keyHash, sha256(JSON.stringify([input.name, input.email.toLowerCase()])), baseUrl);
      if (replay) {
        await client.query('ROLLBACK');
        return replay;
      }
    }
    let reply: Reply;
    try {
      reply = await registerLocked(client, sessionId, input, baseUrl, keyHash !== null);
    } catch (err) {
      if (!(err instanceof HttpProblem) || !keyHash || err.status === 404) throw err;
      reply = { status: err.status, body: JSON.stringify(problemBody(baseUrl, err)) };
    }
    if (keyHash) {
      await client.query('UPDATE idempotency_keys SET response_status = $2, response_body = $3 WHERE key_hash = $1', [
        keyHash,
        reply.status,
        Buffer.from(reply.body),
      ]);
    }
    await client.query('COMMIT');
    return reply;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Claims the key (blocking behind a concurrent holder); returns the stored answer when it was already used. */
async function claimKey(client: PoolClient, keyHash: Buffer, requestHash: Buffer, baseUrl: string): Promise<Reply | null> {
  const claimed = await client.query(
    'INSERT INTO idempotency_keys (key_hash, request_hash) VALUES ($1, $2) ON CONFLICT (key_hash) DO NOTHING RETURNING key_hash',
    [keyHash, requestHash],
  );
  if (claimed.rowCount === 1) return null;
  const { rows } = await client.query<{ request_hash: Buffer; response_status: number | null; response_body: Buffer | null }>(
    'SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE key_hash = $1',
    [keyHash],
  );
  const stored = rows[0];
  if (!stored || !stored.request_hash.equals(requestHash)) {
    const p = new HttpProblem(422, 'idempotency-conflict', 'Idempotency key reused', 'This Idempotency-Key was used with a different body');
    return { status: 422, body: JSON.stringify(problemBody(baseUrl, p)) };
  }
  if (stored.response_status === null || stored.response_body === null) {
    const p = new HttpProblem(409, 'conflict', 'Conflict', 'The first request with this Idempotency-Key is still in progress');
    return { status: 409, body: JSON.stringify(problemBody(baseUrl, p)) };
  }
  return { status: stored.response_status, body: stored.response_body.toString('utf8') };
}

async function registerLocked(
  client: PoolClient,
  sessionId: string,
  input: RegistrationInput,
  baseUrl: string,
  savepoint: boolean,
): Promise<Reply> {
  const { rows } = await client.query<SessionRow>(
    `SELECT ${SESSION_COLUMNS} FROM sessions s JOIN events e ON e.id = s.event_id WHERE s.id = $1 FOR UPDATE OF s`,
    [sessionId],
  );
  const session = rows[0];
  if (!session || session.event_status === 'draft') throw new HttpProblem(404, 'not-found', 'Not found', 'No such session');
  const now = Date.now();
  if (closedReason(session, now))
    throw new HttpProblem(409, 'registration-closed', 'Registration closed', 'This session does not take registrations now');
  const hasSeat = session.capacity === null || session.confirmed_count < session.capacity;
  if (!hasSeat && !session.waitlist_enabled) throw new HttpProblem(409, 'sold-out', 'Sold out', 'No seats are left');
  const status = hasSeat ? 'confirmed' : 'waitlisted';

  const token = randomBytes(32).toString('base64url');
  if (savepoint) await client.query('SAVEPOINT registration');
  let registrationId: string;
  try {
    const inserted = await client.query<{ id: string }>(
      'INSERT INTO registrations (session_id, name, email, status, manage_token_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [sessionId, input.name, input.email, status, sha256(token)],
    );
    registrationId = inserted.rows[0].id;
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    if (savepoint) await client.query('ROLLBACK TO SAVEPOINT registration');
    throw new HttpProblem(409, 'already-registered', 'Already registered', 'This email already holds a place in this session');
  }
  if (status === 'confirmed') {
    await client.query('UPDATE sessions SET confirmed_count = confirmed_count + 1 WHERE id = $1', [sessionId]);
    session.confirmed_count += 1;
  } else {
    await client.query('UPDATE sessions SET waitlisted_count = waitlisted_count + 1 WHERE id = $1', [sessionId]);
    session.waitlisted_count += 1;
  }
  const body = {
    id: registrationId,
    status,
    waitlistPosition: status === 'waitlisted' ? session.waitlisted_count : null,
    name: input.name,
    email: input.email,
    session: sessionJson(session, baseUrl, now),
    manageToken: token,
    links: { manage: `${baseUrl}/registrations/${token}`, ics: `${baseUrl}/registrations/${token}/calendar.ics` },
  };
  return { status: 201, body: JSON.stringify(body) };
}
