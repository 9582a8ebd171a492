import { AnswerFacts, answerBody, AnswerRequestPart } from './registration-answer';

const request: AnswerRequestPart = {
  id: '11111111-1111-4111-8111-111111111111',
  name: 'Ada Lovelace',
  email: 'Ada@Example.com',
  manageToken: 'T'.repeat(43),
  baseUrl: 'https://events.example.com',
};

/** Facts as the registration statement gives them: jsonb, timestamps in the connection's time zone. */
function facts(overrides: Partial<AnswerFacts> = {}): AnswerFacts {
  return {
    id: '22222222-2222-4222-8222-222222222222',
    event_id: '33333333-3333-4333-8333-333333333333',
    event_slug: 'jazz',
    event_title: 'Jazz night',
    event_organizer: null,
    event_status: 'published',
    starts_at: '2027-08-01T20:00:00+02:00',
    ends_at: '2027-08-01T22:00:00+02:00',
    timezone: 'Europe/Berlin',
    venue: { name: 'Hall', address: null, city: 'Berlin', region: null, postalCode: null, country: 'DE' },
    capacity: 2,
    waitlist_enabled: true,
    registration_opens_at: null,
    registration_closes_at: '2027-08-01T12:00:00+00:00',
    status: 'scheduled',
    sequence: 0,
    confirmed_count: 2,
    waitlisted_count: 0,
    cursor_ts: '2027-08-01T18:00:00.000000Z',
    registration_status: 'confirmed',
    waitlist_position: null,
    created_at: '2027-07-01T12:00:00.123+00:00',
    ...overrides,
  };
}

describe('answerBody', () => {
  it('is the 201 body: request part, the facts under the lock, availability as it was then', () => {
    const body = answerBody(request, facts());
    expect(body).toMatchObject({
      id: request.id,
      status: 'confirmed',
      waitlistPosition: null,
      name: 'Ada Lovelace',
      email: 'Ada@Example.com',
      checkedInAt: null,
      createdAt: '2027-07-01T12:00:00.123Z',
      cancelledAt: null,
      manageToken: request.manageToken,
      links: { manage: `https://events.example.com/registrations/${request.manageToken}` },
      session: {
        id: '22222222-2222-4222-8222-222222222222',
        startsAt: '2027-08-01T18:00:00.000Z',
        registrationClosesAt: '2027-08-01T12:00:00.000Z',
        // The counts include this registration: the last seat, so the waitlist is next.
        availability: { state: 'waitlist', seatsRemaining: 0, waitlistLength: 0 },
      },
    });
  });

  it('gives a waitlisted place its position', () => {
    const body = answerBody(request, facts({ registration_status: 'waitlisted', waitlist_position: 3, waitlisted_count: 3 }));
    expect(body).toMatchObject({ status: 'waitlisted', waitlistPosition: 3, session: { availability: { waitlistLength: 3 } } });
  });

  it('builds the same bytes from facts read back in another time zone (a replay on another connection)', () => {
    const utc = facts({
      starts_at: '2027-08-01T18:00:00+00:00',
      ends_at: '2027-08-01T20:00:00+00:00',
      registration_closes_at: '2027-08-01T14:00:00+02:00',
      created_at: '2027-07-01T05:00:00.123-07:00',
    });
    expect(JSON.stringify(answerBody(request, utc))).toBe(JSON.stringify(answerBody(request, facts())));
  });

  it('judges availability at the instant of registering, not now: a replay after the session is over shows the first answer', () => {
    const over = facts({
      starts_at: '2020-08-01T18:00:00+00:00',
      ends_at: '2020-08-01T20:00:00+00:00',
      registration_closes_at: null,
      created_at: '2020-07-01T12:00:00.000+00:00',
      confirmed_count: 1,
    });
    expect(answerBody(request, over).session.availability).toEqual({ state: 'open', seatsRemaining: 1, waitlistLength: 0 });
  });
});
