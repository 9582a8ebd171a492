import ICAL from 'ical.js';
import { OutboxRetention } from '../src/mail/outbox-retention';
import { formatDate } from '../src/pages/page-format';
import { factories, Factories, inDays } from './factories';
import { calendarPart, ReceivedMail, SmtpSink } from './support/smtp-sink';
import { BASE_URL, createTestApp, TestApp } from './support/test-app';

/**
 * Email end to end: the app in-process sending to a real SMTP server on loopback, every message
 * parsed with mailparser and its calendar part with ical.js.
 */
const FAST = { pollIntervalMs: 50, backoffBaseMs: 100 };

let sink: SmtpSink;
let t: TestApp;
let f: Factories;
let auth: { Authorization: string };

beforeAll(async () => {
  sink = await SmtpSink.start({ reject: (address) => address.startsWith('bounce') });
  t = await createTestApp({ smtpUrl: sink.url, mailFrom: 'TBJ Events <events@eventline.test>', mail: FAST });
  f = await factories(t);
  auth = { Authorization: `Bearer ${f.editorToken}` };
});

afterAll(async () => {
  await t?.close();
  await sink?.stop();
});

function vevent(mail: ReceivedMail): { method: string | undefined; calendarMethod: unknown; event: ICAL.Component } {
  const part = calendarPart(mail);
  if (!part) throw new Error(`no calendar part in "${mail.parsed.subject}"`);
  const calendar = new ICAL.Component(ICAL.parse(part.content));
  return {
    method: part.method,
    calendarMethod: calendar.getFirstPropertyValue('method'),
    event: calendar.getFirstSubcomponent('vevent') as ICAL.Component,
  };
}

/** The token of the /m/<token> link a message carries. */
function linkToken(mail: ReceivedMail): string {
  const match = new RegExp(`${BASE_URL}/m/([A-Za-z0-9_-]{43})`).exec(mail.parsed.text ?? '');
  if (!match) throw new Error(`no manage link in "${mail.parsed.subject}"`);
  return match[1];
}

async function register(sessionId: string, email: string, requestId?: string) {
  const res = await f.register(sessionId, { email }, requestId ? { 'X-Request-Id': requestId } : {});
  expect(res.status).toBe(201);
  return res.body as { id: string; status: string; manageToken: string };
}

describe('every message', () => {
  it('registered: confirmed with METHOD:REQUEST (feed UID, SEQUENCE, ORGANIZER, ATTENDEE), waitlisted with its position and no calendar', async () => {
    const session = await f.publishedSession({ capacity: 1, waitlistEnabled: true }, { organizer: 'TBJ' });
    const ada = await register(session.id, 'ada@example.com', 'req-ada');
    const bob = await register(session.id, 'bob@example.com');

    const [confirmed] = await sink.waitFor('ada@example.com', 1);
    expect(confirmed.parsed.subject).toMatch(/^You're registered: /);
    expect(confirmed.parsed.from?.value).toEqual([{ name: 'TBJ Events', address: 'events@eventline.test' }]);
    expect(confirmed.parsed.text).toContain('(America/Los_Angeles)');
    expect(confirmed.parsed.text).toContain('Organized by TBJ');
    expect(confirmed.parsed.html).toContain(`${BASE_URL}/m/`);
    const invite = vevent(confirmed);
    expect(invite.method).toBe('REQUEST');
    expect(invite.calendarMethod).toBe('REQUEST');
    expect(invite.event.getFirstPropertyValue('uid')).toBe(`${session.id}@eventline`);
    expect(invite.event.getFirstPropertyValue('sequence')).toBe(0);
    expect(String(invite.event.getFirstPropertyValue('organizer'))).toMatch(/^mailto:events@eventline.test$/i);
    expect(String(invite.event.getFirstPropertyValue('attendee'))).toMatch(/^mailto:ada@example.com$/i);

    const [waitlisted] = await sink.waitFor('bob@example.com', 1);
    expect(waitlisted.parsed.subject).toMatch(/^You're on the waitlist \(position 1\): /);
    expect(calendarPart(waitlisted)).toBeUndefined();

    // The mail's link is a working manage token of its own; the one in the 201 keeps working too.
    const token = linkToken(confirmed);
    expect(token).not.toBe(ada.manageToken);
    expect((await t.http.get(`/registrations/${token}`).expect(200)).body.id).toBe(ada.id);
    await t.http.get(`/registrations/${ada.manageToken}`).expect(200);
    expect(bob.status).toBe('waitlisted');

    // Staff see each message, its delivery state and the request that caused it.
    const messages = await t.http.get(`/admin/registrations/${ada.id}/messages`).set(auth).expect(200);
    expect(messages.body).toEqual({
      data: [
        expect.objectContaining({
          kind: 'confirmed',
          status: 'sent',
          attempts: 1,
          lastError: null,
          requestId: 'req-ada',
          nextAttemptAt: null,
        }),
      ],
      nextCursor: null,
    });
    expect(Date.parse(messages.body.data[0].sentAt)).not.toBeNaN();
    expect(confirmed.parsed.messageId).toBe(`<${messages.body.data[0].id}@eventline.test>`);
  });

  it('cancelled by the attendee: METHOD:CANCEL one SEQUENCE up; the first waitlisted is promoted with METHOD:REQUEST; staff cancelling too', async () => {
    const session = await f.publishedSession({ capacity: 1, waitlistEnabled: true });
    const cleo = await register(session.id, 'cleo@example.com');
    const dan = await register(session.id, 'dan@example.com');
    await sink.waitFor('cleo@example.com', 1);
    await sink.waitFor('dan@example.com', 1);

    await t.http.delete(`/registrations/${cleo.manageToken}`).expect(200);
    const [, cancelled] = await sink.waitFor('cleo@example.com', 2);
    expect(cancelled.parsed.subject).toMatch(/^Your place is cancelled: /);
    const cancel = vevent(cancelled);
    expect(cancel.method).toBe('CANCEL');
    expect(cancel.event.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(cancel.event.getFirstPropertyValue('sequence')).toBe(1);

    const [, promoted] = await sink.waitFor('dan@example.com', 2);
    expect(promoted.parsed.subject).toMatch(/^You have a place: /);
    expect(vevent(promoted).method).toBe('REQUEST');

    await t.http.post(`/admin/registrations/${dan.id}/cancel`).set(auth).expect(200);
    const [, , byStaff] = await sink.waitFor('dan@example.com', 3);
    expect(byStaff.parsed.text).toContain('cancelled by the organizer');
    expect(vevent(byStaff).method).toBe('CANCEL');
  });

  it('a capacity raise promotes with a message', async () => {
    const session = await f.publishedSession({ capacity: 1, waitlistEnabled: true });
    await register(session.id, 'erin@example.com');
    await register(session.id, 'finn@example.com');
    await sink.waitFor('finn@example.com', 1);
    await t.http.patch(`/admin/sessions/${session.id}`).set(auth).send({ capacity: 2 }).expect(200);
    const [, promoted] = await sink.waitFor('finn@example.com', 2);
    expect(promoted.parsed.subject).toMatch(/^You have a place: /);
  });

  it('a session moved, its venue changed, then cancelled: REQUESTs with growing SEQUENCE, then CANCEL; waitlisted people hear too', async () => {
    const session = await f.publishedSession({ capacity: 1, waitlistEnabled: true });
    await register(session.id, 'gus@example.com');
    await register(session.id, 'hana@example.com');
    await sink.waitFor('hana@example.com', 1);
    const startsAt = inDays(40);

    await t.http
      .patch(`/admin/sessions/${session.id}`)
      .set(auth)
      .send({ startsAt, endsAt: inDays(40, 3) })
      .expect(200);
    const [, moved] = await sink.waitFor('gus@example.com', 2);
    expect(moved.parsed.subject).toMatch(/^Changed: /);
    const request = vevent(moved);
    expect(request.method).toBe('REQUEST');
    expect(request.event.getFirstPropertyValue('sequence')).toBe(1);
    expect(moved.parsed.text).toContain(formatDate(new Date(startsAt), 'America/Los_Angeles'));
    const [, waitlistedMoved] = await sink.waitFor('hana@example.com', 2);
    expect(waitlistedMoved.parsed.subject).toMatch(/^Changed: /);
    expect(calendarPart(waitlistedMoved)).toBeUndefined();

    // The session takes the event's venue: a new event venue moves it.
    await t.http
      .patch(`/admin/events/${session.eventId}`)
      .set(auth)
      .send({ venue: { name: 'The New Hall', city: 'Oakland' } })
      .expect(200);
    const [, , rehoused] = await sink.waitFor('gus@example.com', 3);
    expect(rehoused.parsed.text).toContain('The New Hall, Oakland');
    expect(vevent(rehoused).event.getFirstPropertyValue('sequence')).toBe(2);

    await t.http.post(`/admin/sessions/${session.id}/cancel`).set(auth).expect(200);
    const [, , , cancelled] = await sink.waitFor('gus@example.com', 4);
    expect(cancelled.parsed.subject).toMatch(/^Cancelled: /);
    const cancel = vevent(cancelled);
    expect(cancel.method).toBe('CANCEL');
    expect(cancel.event.getFirstPropertyValue('sequence')).toBe(3);
    await sink.waitFor('hana@example.com', 3);
  });

  it('an event cancelled: every session not yet cancelled tells its people, once', async () => {
    const session = await f.publishedSession();
    const other = await f.session(session.eventId);
    await register(session.id, 'ivy@example.com');
    await register(other.id, 'jon@example.com');
    await t.http.post(`/admin/sessions/${other.id}/cancel`).set(auth).expect(200);
    await sink.waitFor('jon@example.com', 2);

    await t.http.post(`/admin/events/${session.eventId}/cancel`).set(auth).expect(200);
    const [, cancelled] = await sink.waitFor('ivy@example.com', 2);
    expect(vevent(cancelled).method).toBe('CANCEL');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.to('jon@example.com')).toHaveLength(2);
  });

  it('names the request that caused it: registering, cancelling and the promotion it makes, staff changes, a resend', async () => {
    const session = await f.publishedSession({ capacity: 1, waitlistEnabled: true });
    const other = await f.session(session.eventId);
    const uma = await register(session.id, 'uma@example.com', 'req-uma');
    await register(session.id, 'vic@example.com', 'req-vic');
    const wen = await register(session.id, 'wen@example.com', 'req-wen');
    await register(other.id, 'xia@example.com', 'req-xia');
    const as = (id: string) => ({ ...auth, 'X-Request-Id': id });

    await t.http.delete(`/registrations/${uma.manageToken}`).set('X-Request-Id', 'req-cancel').expect(200);
    await t.http.patch(`/admin/sessions/${session.id}`).set(as('req-raise')).send({ capacity: 2 }).expect(200);
    await t.http
      .post('/registrations/resend')
      .set('X-Request-Id', 'req-resend')
      .send({ sessionId: session.id, email: 'vic@example.com' })
      .expect(202);
    await t.http.post(`/admin/registrations/${wen.id}/cancel`).set(as('req-staff-cancel')).expect(200);
    await t.http
      .patch(`/admin/sessions/${session.id}`)
      .set(as('req-move'))
      .send({ startsAt: inDays(40), endsAt: inDays(40, 3) })
      .expect(200);
    await t.http
      .patch(`/admin/events/${session.eventId}`)
      .set(as('req-venue'))
      .send({ venue: { name: 'Hall B' } })
      .expect(200);
    await t.http.post(`/admin/sessions/${session.id}/cancel`).set(as('req-session-cancel')).expect(200);
    await t.http.post(`/admin/events/${session.eventId}/cancel`).set(as('req-event-cancel')).expect(200);

    const rows: { email: string; kind: string; request_id: string }[] = await t.db.query(
      `SELECT r.email, m.kind, m.request_id FROM mail_outbox m JOIN registrations r ON r.id = m.registration_id
        WHERE r.session_id IN ($1, $2)`,
      [session.id, other.id],
    );
    // Sorted: the messages of one transaction share their created_at.
    expect(rows.map((r) => `${r.email.split('@')[0]} ${r.kind} ${r.request_id}`).sort()).toEqual(
      [
        'uma confirmed req-uma',
        'vic waitlisted req-vic',
        'wen waitlisted req-wen',
        'xia confirmed req-xia',
        'uma cancelled req-cancel',
        'vic promoted req-cancel',
        'wen promoted req-raise',
        'vic manage-link req-resend',
        'wen cancelled req-staff-cancel',
        'vic session-updated req-move',
        'xia session-updated req-venue',
        'vic session-updated req-venue',
        'vic session-cancelled req-session-cancel',
        'xia session-cancelled req-event-cancel',
      ].sort(),
    );
  });

  it('a permanent rejection (550) fails the message at once and is not retried', async () => {
    const session = await f.publishedSession();
    const reg = await register(session.id, 'bounce@example.com');
    const deadline = Date.now() + 10_000;
    let message: { status: string; attempts: number; lastError: string } | undefined;
    while (Date.now() < deadline) {
      [message] = (await t.http.get(`/admin/registrations/${reg.id}/messages`).set(auth).expect(200)).body.data;
      if (message?.status !== 'pending') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(message).toMatchObject({ status: 'failed', attempts: 1 });
    expect(message?.lastError).toMatch(/550/);
    // Many poll intervals and backoff bases later, still one attempt.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const [again] = (await t.http.get(`/admin/registrations/${reg.id}/messages`).set(auth).expect(200)).body.data;
    expect(again).toMatchObject({ status: 'failed', attempts: 1 });
    expect(sink.to('bounce@example.com')).toHaveLength(0);
  });
});

describe('POST /registrations/resend', () => {
  it('always answers 202; a live place gets a mail whose link works, and the first token and its feed keep working', async () => {
    const session = await f.publishedSession();
    const kim = await register(session.id, 'kim@example.com');
    await sink.waitFor('kim@example.com', 1);

    await t.http.post('/registrations/resend').send({ sessionId: session.id, email: 'nobody@example.com' }).expect(202);
    await t.http
      .post('/registrations/resend')
      .send({ sessionId: '00000000-0000-4000-8000-000000000000', email: 'kim@example.com' })
      .expect(202);
    await t.http.post('/registrations/resend').send({ sessionId: session.id, email: 'KIM@example.com' }).expect(202);

    const [, resent] = await sink.waitFor('kim@example.com', 2);
    expect(resent.parsed.subject).toMatch(/^Your link for /);
    expect(calendarPart(resent)).toBeUndefined();
    const token = linkToken(resent);
    expect((await t.http.get(`/registrations/${token}`).expect(200)).body.id).toBe(kim.id);
    await t.http.get(`/m/${token}`).expect(200);
    for (const feedToken of [kim.manageToken, token]) {
      const feed = await t.http.get(`/registrations/${feedToken}/calendar.ics`).expect(200);
      expect(feed.text).toContain(`UID:${session.id}@eventline`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.to('nobody@example.com')).toHaveLength(0);
    expect(sink.to('kim@example.com')).toHaveLength(2);

    // The mailed token cancels like the first one.
    await t.http.delete(`/registrations/${token}`).expect(200);
    expect((await t.http.get(`/registrations/${kim.manageToken}`).expect(200)).body.status).toBe('cancelled');
  });

  it('refuses a malformed body with 400, not 202', async () => {
    const res = await t.http.post('/registrations/resend').send({ sessionId: 'nope', email: 'x' }).expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    await t.http
      .post('/registrations/resend')
      .send({ sessionId: '00000000-0000-4000-8000-000000000000', email: 'a@b.co', extra: 1 })
      .expect(400);
  });
});

describe('GET /admin/registrations/:id/messages', () => {
  it('needs an editor, and 404s an unknown registration', async () => {
    await t.http.get(`/admin/registrations/00000000-0000-4000-8000-000000000000/messages`).expect(401);
    const checkin = await t.tokenFor('checkin');
    await t.http
      .get(`/admin/registrations/00000000-0000-4000-8000-000000000000/messages`)
      .set({ Authorization: `Bearer ${checkin}` })
      .expect(403);
    await t.http.get(`/admin/registrations/00000000-0000-4000-8000-000000000000/messages`).set(auth).expect(404);
    await t.http.get(`/admin/registrations/not-a-uuid/messages`).set(auth).expect(404);
  });

  it("pages through a registration's messages in order", async () => {
    const session = await f.publishedSession();
    const reg = await register(session.id, 'lea@example.com');
    for (let i = 0; i < 3; i++)
      await t.http.post('/registrations/resend').send({ sessionId: session.id, email: 'lea@example.com' }).expect(202);
    const first = await t.http.get(`/admin/registrations/${reg.id}/messages?limit=2`).set(auth).expect(200);
    expect(first.body.data.map((m: { kind: string }) => m.kind)).toEqual(['confirmed', 'manage-link']);
    const second = await t.http
      .get(`/admin/registrations/${reg.id}/messages?limit=2&cursor=${first.body.nextCursor}`)
      .set(auth)
      .expect(200);
    expect(second.body.data.map((m: { kind: string }) => m.kind)).toEqual(['manage-link', 'manage-link']);
    expect(second.body.nextCursor).toBeNull();
    const ids = [...first.body.data, ...second.body.data].map((m: { id: string }) => m.id);
    expect(new Set(ids).size).toBe(4);
  });

  it('keeps sent and failed messages for 30 days, pending ones until delivered', async () => {
    const session = await f.publishedSession();
    const reg = await register(session.id, 'kept@example.com');
    await sink.waitFor('kept@example.com', 1);
    const row = (status: string, age: string) =>
      t.db.query(
        `INSERT INTO mail_outbox (registration_id, kind, status, created_at, next_attempt_at)
         VALUES ($1, 'manage-link', $2, now() - $3::interval, now() + interval '1 day') RETURNING id`,
        [reg.id, status, age],
      );
    const [, , [oldPending], [recentSent]] = await Promise.all([
      row('sent', '31 days'),
      row('failed', '31 days'),
      row('pending', '31 days'),
      row('sent', '29 days'),
    ]);
    // More than one statement's batch of old rows, elsewhere: a sweep deletes them all.
    const other = await register(session.id, 'many@example.com');
    await t.db.query(
      `INSERT INTO mail_outbox (registration_id, kind, status, created_at)
       SELECT $1, 'manage-link', 'sent', now() - interval '40 days' FROM generate_series(1, 5001)`,
      [other.id],
    );

    expect(await t.app.get(OutboxRetention).sweep()).toBe(5003);

    const kept = await t.http.get(`/admin/registrations/${reg.id}/messages?limit=100`).set(auth).expect(200);
    // Oldest first: the old pending one, the recent sent one, the confirmation; the old sent and failed ones are gone.
    expect(kept.body.data.map((m: { id: string; kind: string }) => m.id)).toEqual([oldPending.id, recentSent.id, expect.any(String)]);
    expect(kept.body.data[2].kind).toBe('confirmed');
    const [{ left }] = await t.db.query(`SELECT count(*)::int AS left FROM mail_outbox WHERE registration_id = $1`, [other.id]);
    expect(left).toBe(1);
  });
});
