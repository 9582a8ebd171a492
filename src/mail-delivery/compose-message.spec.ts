import ICAL from 'ical.js';
import { addressOf, composeMessage, MailViews } from './compose-message';
import type { MessageKind } from '../mail/message-kind';
import type { ClaimedMessageRow } from './delivery.queries';

const views = new MailViews();
const ctx = { publicBaseUrl: 'https://events.example.com', from: 'Eventline <no-reply@events.example.com>' };

function row(overrides: Partial<ClaimedMessageRow> = {}): ClaimedMessageRow {
  return {
    orphan: false,
    id: '11111111-1111-4111-8111-111111111111',
    registration_id: '33333333-3333-4333-8333-333333333333',
    kind: 'confirmed',
    details: null,
    attempts: 1,
    created_at: new Date('2027-06-01T00:00:00Z'),
    request_id: 'req-1',
    waited_ms: 0,
    name: 'Ada <Lovelace>',
    email: 'ada@example.com',
    registration_status: 'confirmed',
    session_id: '22222222-2222-4222-8222-222222222222',
    starts_at: new Date('2027-08-02T01:00:00Z'),
    ends_at: new Date('2027-08-02T03:00:00Z'),
    timezone: 'America/Los_Angeles',
    venue: { name: 'The Hall', city: 'Oakland' },
    online_url: null,
    sequence: 2,
    session_status: 'scheduled',
    modified: new Date('2027-06-01T00:00:00Z'),
    event_slug: 'summer-social',
    event_title: 'Summer & <social>',
    event_summary: null,
    event_description: null,
    organizer: 'TBJ',
    ...overrides,
  };
}

function vevent(content: string) {
  const calendar = new ICAL.Component(ICAL.parse(content));
  return { calendar, event: calendar.getFirstSubcomponent('vevent') as ICAL.Component };
}

describe('composeMessage', () => {
  it('gives the session in its own zone, named, the organizer and the manage link, in text and escaped HTML', () => {
    const mail = composeMessage(views, row(), 'TOKEN', ctx);
    expect(mail.messageId).toBe('<11111111-1111-4111-8111-111111111111@events.example.com>');
    expect(mail.subject).toBe("You're registered: Summer & <social>");
    expect(mail.to).toEqual({ name: 'Ada <Lovelace>', address: 'ada@example.com' });
    expect(mail.text).toContain('Sunday, August 1, 2027');
    expect(mail.text).toContain('6:00 PM – 8:00 PM PDT (America/Los_Angeles)');
    expect(mail.text).toContain('The Hall, Oakland');
    expect(mail.text).toContain('Organized by TBJ');
    expect(mail.text).toContain('https://events.example.com/m/TOKEN');
    expect(mail.text).toContain('Hello Ada <Lovelace>,');
    expect(mail.text).not.toMatch(/\n\n\n/);
    expect(mail.html).toContain('Hello Ada &lt;Lovelace&gt;,');
    expect(mail.html).toContain('Summer &amp; &lt;social&gt;');
    expect(mail.html).not.toContain('<social>');
    expect(mail.html).toContain('href="https://events.example.com/m/TOKEN"');
  });

  it('invites the confirmed with METHOD:REQUEST, the feed UID, SEQUENCE, ORGANIZER and ATTENDEE', () => {
    const mail = composeMessage(views, row(), 'TOKEN', ctx);
    expect(mail.calendar?.method).toBe('REQUEST');
    const { calendar, event } = vevent(mail.calendar?.content ?? '');
    expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(event.getFirstPropertyValue('uid')).toBe('22222222-2222-4222-8222-222222222222@eventline');
    expect(event.getFirstPropertyValue('sequence')).toBe(2);
    expect(String(event.getFirstPropertyValue('organizer'))).toMatch(/^mailto:no-reply@events.example.com$/i);
    expect(String(event.getFirstPropertyValue('attendee'))).toMatch(/^mailto:ada@example.com$/i);
  });

  it('cancels a place with METHOD:CANCEL one SEQUENCE higher, as the registration feed does', () => {
    const mail = composeMessage(
      views,
      row({ kind: 'cancelled', registration_status: 'cancelled', details: { by: 'staff', from: 'confirmed' } }),
      'TOKEN',
      ctx,
    );
    expect(mail.text).toContain('Your place is cancelled by the organizer.');
    const { calendar, event } = vevent(mail.calendar?.content ?? '');
    expect(calendar.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(event.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(event.getFirstPropertyValue('sequence')).toBe(3);
  });

  it.each<[MessageKind, Partial<ClaimedMessageRow>, string | undefined]>([
    ['waitlisted', { registration_status: 'waitlisted', details: { position: 4 } }, undefined],
    ['promoted', {}, 'REQUEST'],
    ['session-updated', {}, 'REQUEST'],
    ['session-updated', { registration_status: 'waitlisted' }, undefined],
    ['session-cancelled', { session_status: 'cancelled' }, 'CANCEL'],
    ['cancelled', { registration_status: 'cancelled', details: { from: 'waitlisted' } }, undefined],
    ['manage-link', {}, undefined],
  ])('a %s message (%j) carries calendar method %s', (kind, overrides, method) => {
    const mail = composeMessage(views, row({ kind, ...overrides }), 'TOKEN', ctx);
    expect(mail.calendar?.method).toBe(method);
    expect(mail.text).toContain('https://events.example.com/m/TOKEN');
  });

  it('names the waitlist position', () => {
    const mail = composeMessage(views, row({ kind: 'waitlisted', registration_status: 'waitlisted', details: { position: 4 } }), 'T', ctx);
    expect(mail.subject).toBe("You're on the waitlist (position 4): Summer & <social>");
    expect(mail.text).toContain('at position 4');
  });

  it('keeps line breaks out of headers', () => {
    const mail = composeMessage(views, row({ event_title: 'Evil\r\nBcc: x@y.z', name: 'A\nB' }), 'T', ctx);
    expect(mail.subject).toBe("You're registered: Evil Bcc: x@y.z");
    expect(mail.to.name).toBe('A B');
  });
});

describe('addressOf', () => {
  it('takes the address out of a mailbox', () => {
    expect(addressOf('Eventline <no-reply@localhost>')).toBe('no-reply@localhost');
    expect(addressOf(' events@example.com ')).toBe('events@example.com');
  });
});
