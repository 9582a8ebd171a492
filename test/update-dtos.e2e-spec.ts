import { factories, Factories, inDays } from './factories';
import { createTestApp, TestApp } from './support/test-app';

/** PATCH bodies: a field left out stays, null clears what may be empty, and is refused for the rest. */
describe('changing events and sessions with null', () => {
  let t: TestApp;
  let f: Factories;
  let auth: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    f = await factories(t);
    auth = { Authorization: `Bearer ${f.editorToken}` };
  });
  afterAll(() => t.close());

  it('refuses null for the fields an event must have, with 400 naming the field', async () => {
    const event = await f.event({ summary: 'Kept', category: 'music' });
    for (const field of ['title', 'timezone', 'tags']) {
      const res = await t.http
        .patch(`/admin/events/${event.id}`)
        .set(auth)
        .send({ [field]: null })
        .expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const cleared = await t.http.patch(`/admin/events/${event.id}`).set(auth).send({ summary: null, venue: null }).expect(200);
    expect(cleared.body).toMatchObject({ summary: null, venue: null, category: 'music', title: event.title });
  });

  it('refuses null for the fields a session must have, and takes null capacity as unlimited', async () => {
    const session = await f.publishedSession({ startsAt: inDays(4), endsAt: inDays(4, 2), capacity: 5 });
    for (const field of ['startsAt', 'endsAt', 'timezone', 'waitlistEnabled']) {
      const res = await t.http
        .patch(`/admin/sessions/${session.id}`)
        .set(auth)
        .send({ [field]: null })
        .expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const unlimited = await t.http.patch(`/admin/sessions/${session.id}`).set(auth).send({ capacity: null }).expect(200);
    expect(unlimited.body).toMatchObject({ capacity: null, startsAt: session.startsAt, timezone: 'America/Los_Angeles' });
  });
});
