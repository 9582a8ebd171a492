import { registrationLinks, toRegistrationView } from './registration-row';
import { likePattern } from './registrations.queries';

describe('likePattern', () => {
  it('wraps the search in wildcards', () => {
    expect(likePattern('ada')).toBe('%ada%');
  });

  it('makes %, _ and backslash literal', () => {
    expect(likePattern('100%')).toBe('%100\\%%');
    expect(likePattern('a_b')).toBe('%a\\_b%');
    expect(likePattern('c:\\x')).toBe('%c:\\\\x%');
  });
});

describe('registrationLinks', () => {
  it('builds absolute manage and calendar links from the base URL', () => {
    expect(registrationLinks('https://events.example.com', 'tok')).toEqual({
      manage: 'https://events.example.com/registrations/tok',
      ics: 'https://events.example.com/registrations/tok/calendar.ics',
    });
  });
});

describe('toRegistrationView', () => {
  it('maps columns to the API shape with ISO timestamps', () => {
    const created = new Date('2027-07-01T10:00:00Z');
    expect(
      toRegistrationView({
        registration_id: 'r1',
        session_id: 's1',
        name: 'Ada',
        email: 'ada@example.com',
        registration_status: 'confirmed',
        queue_number: '7',
        waitlist_position: null,
        checked_in_at: new Date('2027-08-01T18:05:00Z'),
        promoted_at: null,
        cancelled_at: null,
        created_at: created,
      }),
    ).toEqual({
      id: 'r1',
      sessionId: 's1',
      status: 'confirmed',
      waitlistPosition: null,
      name: 'Ada',
      email: 'ada@example.com',
      checkedInAt: '2027-08-01T18:05:00.000Z',
      promotedAt: null,
      createdAt: '2027-07-01T10:00:00.000Z',
      cancelledAt: null,
    });
  });
});
