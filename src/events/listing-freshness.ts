import type { CachePolicy } from '../common/conditional-get';
import type { SessionView } from './dto/views';

/**
 * How long what a cached listing shows holds, as plain functions. Staff changes are notified (see
 * ChangeNotifications); time and seat counts are not, so they bound each answer instead.
 */

/**
 * Seat counts and waitlist lengths of a remembered listing are at most this old. Registering
 * notifies no one on purpose: a NOTIFY in its transaction would serialise every commit of the
 * database at commit time, on the hottest write path.
 */
export const SEATS_STALE_MS = 10_000;

/** GET /sessions and GET /events: max-age matches the seat-count bound. */
export const LISTING_CACHE: CachePolicy = { maxAgeS: SEATS_STALE_MS / 1000, staleWhileRevalidateS: 30 };

export const JSON_TYPE = 'application/json; charset=utf-8';

/** One answer of a cacheable route, as made on a miss. */
export interface FreshAnswer {
  body: string;
  contentType: string;
  /** When time alone may change it (epoch ms); undefined: only a notified change does. */
  staleAt?: number;
}

type Timed = Pick<SessionView, 'startsAt' | 'endsAt' | 'registrationOpensAt' | 'registrationClosesAt'>;

/**
 * The instants at which time alone changes what a listed session shows: its availability turns at
 * each of them (registration opens or closes, the session starts or ends), and a listing whose
 * range starts now drops it when it starts (the next one in line then moves up).
 */
export function sessionTurns(s: Timed): (string | null)[] {
  return [s.registrationOpensAt, s.registrationClosesAt, s.startsAt, s.endsAt];
}

/**
 * The earliest of these instants later than `now` (epoch ms), or undefined. The instants are
 * `Date#toISOString()` output (years 1970..9999, as the API accepts), whose text sorts as time
 * does: compared as strings, a listing of 20 sessions parses one date instead of 80.
 */
export function firstAfter(instants: Iterable<string | null>, now: number): number | undefined {
  const after = new Date(now).toISOString();
  let first: string | undefined;
  for (const instant of instants) {
    if (instant !== null && instant > after && (first === undefined || instant < first)) first = instant;
  }
  return first === undefined ? undefined : Date.parse(first);
}

/**
 * A JSON listing showing these sessions (a page of sessions, or the sessions a page of events
 * shows), read at `now`: stale at its next turn, or once its seat counts are SEATS_STALE_MS old.
 */
export function listingAnswer(page: unknown, sessions: Timed[], now: number): FreshAnswer {
  const turn = firstAfter(sessions.flatMap(sessionTurns), now) ?? Infinity;
  return { body: JSON.stringify(page), contentType: JSON_TYPE, staleAt: Math.min(turn, now + SEATS_STALE_MS) };
}
