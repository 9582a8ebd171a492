import type { SessionRow } from '../events/rows';
import type { RegistrationCreatedView } from './dto/views';
import type { RegistrationRow } from './registration-row';
import { toManagedView } from './registration-row';

/**
 * The answer to a registration comes in two parts, so that the session's lock is held only inside
 * PostgreSQL and a replay of an Idempotency-Key rebuilds the very same body from what was stored.
 */

/** What Node knows before registering: the request and what it makes for it (the secret token). */
export interface AnswerRequestPart {
  id: string;
  name: string;
  email: string;
  manageToken: string;
  /** PUBLIC_BASE_URL when answered: a replay keeps the first answer's links. */
  baseUrl: string;
}

type Timestamps = 'starts_at' | 'ends_at' | 'registration_opens_at' | 'registration_closes_at';

/**
 * What the registration statement decided under the session's lock, as jsonb: the session row with
 * its counts after this registration, the place's status and waitlist position, and the instant it
 * was judged at (the registration's created_at). Timestamps are ISO 8601 strings.
 */
export type AnswerFacts = Omit<SessionRow, Timestamps> & { [K in Timestamps]: SessionRow[K] extends Date ? string : string | null } & {
  registration_status: 'confirmed' | 'waitlisted';
  waitlist_position: number | null;
  created_at: string;
};

const dateOrNull = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));

/** The 201 body. The first answer and every replay are built here from the same two parts. */
export function answerBody(request: AnswerRequestPart, facts: AnswerFacts): RegistrationCreatedView {
  const createdAt = new Date(facts.created_at);
  const row: Omit<RegistrationRow, 'queue_number'> & SessionRow = {
    ...facts,
    starts_at: new Date(facts.starts_at),
    ends_at: new Date(facts.ends_at),
    registration_opens_at: dateOrNull(facts.registration_opens_at),
    registration_closes_at: dateOrNull(facts.registration_closes_at),
    registration_id: request.id,
    session_id: facts.id,
    name: request.name,
    email: request.email,
    checked_in_at: null,
    promoted_at: null,
    cancelled_at: null,
    created_at: createdAt,
  };
  // Availability as it was at that instant, so a replay shows what the first answer showed.
  return { ...toManagedView(row, request.manageToken, request.baseUrl, createdAt), manageToken: request.manageToken };
}
