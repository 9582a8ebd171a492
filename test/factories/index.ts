import type { TestApp } from '../support/test-app';

/** Builders that make valid events, sessions and registrations in one call, via the staff API. */
export interface Factories {
  editorToken: string;
  event(overrides?: Record<string, unknown>): Promise<{ id: string; slug: string; [k: string]: unknown }>;
  session(eventId: string, overrides?: Record<string, unknown>): Promise<{ id: string; [k: string]: unknown }>;
  /** A published event with one session; session overrides go to the session. */
  publishedSession(
    overrides?: Record<string, unknown>,
    eventOverrides?: Record<string, unknown>,
  ): Promise<{ id: string; eventId: string; [k: string]: unknown }>;
  register(
    sessionId: string,
    body?: Partial<{ name: string; email: string }>,
    headers?: Record<string, string>,
  ): Promise<import('supertest').Response>;
}

const DAY = 24 * 60 * 60 * 1000;
let counter = 0;

export function inDays(days: number, hours = 0): string {
  return new Date(Date.now() + days * DAY + hours * 3600_000).toISOString();
}

export async function factories(t: TestApp): Promise<Factories> {
  const editorToken = await t.tokenFor('editor');
  const auth = { Authorization: `Bearer ${editorToken}` };
  const f: Factories = {
    editorToken,
    async event(overrides = {}) {
      const res = await t.http
        .post('/admin/events')
        .set(auth)
        .send({ title: `Event ${++counter}`, timezone: 'America/Los_Angeles', ...overrides });
      if (res.status !== 201) throw new Error(`event factory: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async session(eventId, overrides = {}) {
      const res = await t.http
        .post(`/admin/events/${eventId}/sessions`)
        .set(auth)
        .send({ startsAt: inDays(10), endsAt: inDays(10, 2), ...overrides });
      if (res.status !== 201) throw new Error(`session factory: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async publishedSession(overrides = {}, eventOverrides = {}) {
      const event = await f.event({ status: 'published', ...eventOverrides });
      const session = await f.session(event.id, overrides);
      return session as { id: string; eventId: string };
    },
    register(sessionId, body = {}, headers = {}) {
      const n = ++counter;
      return t.http
        .post(`/sessions/${sessionId}/registrations`)
        .set(headers)
        .send({ name: `Attendee ${n}`, email: `attendee${n}@example.com`, ...body });
    },
  };
  return f;
}
