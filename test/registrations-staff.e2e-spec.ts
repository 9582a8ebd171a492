import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { factories, Factories } from './factories';
import { BASE_URL, createTestApp, TestApp } from './support/test-app';

let t: TestApp;
let f: Factories;
let checkin: string;
let editor: string;

beforeAll(async () => {
  t = await createTestApp();
  f = await factories(t);
  checkin = `Bearer ${await t.tokenFor('checkin')}`;
  editor = `Bearer ${f.editorToken}`;
});

afterAll(() => t?.close());

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

function expectProblem(res: Response, status: number, slug: string): void {
  expect({ status: res.status, type: res.body.type }).toEqual({ status, type: `${BASE_URL}/problems/${slug}` });
}

async function register(sessionId: string, body: { name?: string; email?: string } = {}) {
  const res = await f.register(sessionId, body);
  if (res.status !== 201) throw new Error(`expected 201, got ${res.status}: ${res.text}`);
  return res.body;
}

const list = (sessionId: string, query = '', auth = checkin) =>
  t.http.get(`/admin/sessions/${sessionId}/registrations${query}`).set('Authorization', auth);
const csv = (sessionId: string, query = '') => list(sessionId, query).set('Accept', 'text/csv');
const checkIn = (id: string, auth = checkin) => t.http.post(`/admin/registrations/${id}/check-in`).set('Authorization', auth);
const staffCancel = (id: string, auth = editor) => t.http.post(`/admin/registrations/${id}/cancel`).set('Authorization', auth);

/** Strict RFC 4180: CRLF records, quotes doubled inside quoted cells, no line break outside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') {
        cell += c;
      } else if (text[i + 1] === '"') {
        cell += '"';
        i++;
      } else {
        quoted = false;
      }
    } else if (c === '"') {
      if (cell !== '') throw new Error(`quote inside an unquoted cell at ${i}`);
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      throw new Error(`bare line break outside quotes at ${i}`);
    } else {
      cell += c;
    }
  }
  if (quoted) throw new Error('unterminated quoted cell');
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** Rows that could not come through the API (its validation refuses control characters), as if imported. */
async function insertRaw(sessionId: string, names: string[], status = 'confirmed'): Promise<void> {
  for (const [i, name] of names.entries()) {
    await t.db.query(`INSERT INTO registrations (session_id, name, email, status, manage_token_hash) VALUES ($1, $2, $3, $4, $5)`, [
      sessionId,
      name,
      `raw${i}.${Date.now()}@example.com`,
      status,
      createHash('sha256').update(`${sessionId}${i}${Math.random()}`).digest(),
    ]);
  }
}

describe('roles', () => {
  it('needs a valid bearer token (401) and the right role (403)', async () => {
    const session = await f.publishedSession();
    const reg = await register(session.id);
    expectProblem(await t.http.get(`/admin/sessions/${session.id}/registrations`), 401, 'unauthorized');
    expectProblem(await list(session.id, '', 'Bearer not-a-token'), 401, 'unauthorized');
    expectProblem(await t.http.post(`/admin/registrations/${reg.id}/check-in`), 401, 'unauthorized');
    expectProblem(await t.http.post(`/admin/registrations/${reg.id}/cancel`), 401, 'unauthorized');

    // checkin reads and checks in, but does not cancel.
    expect((await list(session.id)).status).toBe(200);
    expect((await csv(session.id)).status).toBe(200);
    expectProblem(await staffCancel(reg.id, checkin), 403, 'forbidden');
    expect((await checkIn(reg.id)).status).toBe(200);
    // editor and admin rank above checkin.
    expect((await list(session.id, '', editor)).status).toBe(200);
    expect((await staffCancel(reg.id, `Bearer ${await t.tokenFor('admin')}`)).status).toBe(200);
  });
});

describe('GET /admin/sessions/:id/registrations', () => {
  it('lists in queue order with waitlist positions, filtered by status and by q over name or email', async () => {
    const session = await f.publishedSession({ capacity: 2, waitlistEnabled: true });
    await register(session.id, { name: 'Ada Lovelace', email: 'ada@example.com' });
    await register(session.id, { name: 'Grace Hopper', email: 'grace@navy.example' });
    await register(session.id, { name: 'Alan Turing', email: 'alan@example.com' });
    await register(session.id, { name: 'Edsger Dijkstra', email: 'ewd@example.com' });
    await register(session.id, { name: '100% Ada_Fan', email: 'fan@example.com' });

    const all = (await list(session.id).expect(200)).body;
    expect(all.nextCursor).toBeNull();
    expect(
      all.data.map((r: { name: string; status: string; waitlistPosition: number | null }) => [r.name, r.status, r.waitlistPosition]),
    ).toEqual([
      ['Ada Lovelace', 'confirmed', null],
      ['Grace Hopper', 'confirmed', null],
      ['Alan Turing', 'waitlisted', 1],
      ['Edsger Dijkstra', 'waitlisted', 2],
      ['100% Ada_Fan', 'waitlisted', 3],
    ]);
    expect(all.data[0]).toEqual({
      id: expect.any(String),
      sessionId: session.id,
      status: 'confirmed',
      waitlistPosition: null,
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      checkedInAt: null,
      promotedAt: null,
      createdAt: expect.any(String),
      cancelledAt: null,
    });
    expect(all.data[0]).not.toHaveProperty('manageToken');

    const names = async (query: string) => (await list(session.id, query).expect(200)).body.data.map((r: { name: string }) => r.name);
    expect(await names('?status=waitlisted')).toEqual(['Alan Turing', 'Edsger Dijkstra', '100% Ada_Fan']);
    expect(await names('?q=ADA')).toEqual(['Ada Lovelace', '100% Ada_Fan']);
    expect(await names('?q=navy')).toEqual(['Grace Hopper']);
    // Positions count the whole waitlist, whatever the filter shows.
    expect((await list(session.id, '?q=fan').expect(200)).body.data[0].waitlistPosition).toBe(3);
    // % and _ are literal, not wildcards.
    expect(await names(`?q=${encodeURIComponent('%')}`)).toEqual(['100% Ada_Fan']);
    expect(await names('?q=a_f')).toEqual(['100% Ada_Fan']);
    expect(await names('?q=%20%20')).toHaveLength(5); // blank search: no filter
    expect(await names('?q=nobody&status=confirmed')).toEqual([]);
  });

  it('pages by keyset: no repeats or skips, even with registrations arriving between pages', async () => {
    const session = await f.publishedSession();
    for (let i = 0; i < 5; i++) await register(session.id, { name: `Page ${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Response = await list(session.id, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((r: { name: string }) => r.name));
      cursor = res.body.nextCursor;
      if (++pages === 1) await register(session.id, { name: 'Page late' });
    } while (cursor);
    expect(seen).toEqual(['Page 0', 'Page 1', 'Page 2', 'Page 3', 'Page 4', 'Page late']);
    expect(pages).toBe(3);
  });

  it('is 400 for bad filters or cursors and 404 for unknown or malformed sessions; draft sessions are listed', async () => {
    const session = await f.publishedSession();
    for (const query of [
      '?limit=0',
      '?limit=101',
      '?limit=x',
      '?status=maybe',
      '?cursor=garbage',
      `?cursor=${Buffer.from('["x","y"]').toString('base64url')}`,
      '?sort=name',
    ]) {
      expectProblem(await list(session.id, query), 400, 'validation');
    }
    expectProblem(await list(UNKNOWN_ID), 404, 'not-found');
    expectProblem(await list('nope'), 404, 'not-found');
    expectProblem(await csv(UNKNOWN_ID), 404, 'not-found');
    const draft = await f.session((await f.event()).id);
    expect((await list(draft.id).expect(200)).body).toEqual({ data: [], nextCursor: null });
  });
});

describe('CSV export (Accept: text/csv)', () => {
  it('is an attachment, properly quoted and safe from formula injection', async () => {
    const session = await f.publishedSession({ capacity: 1, waitlistEnabled: true });
    const ada = await register(session.id, { name: 'Lovelace, Ada "The Countess"', email: 'ada@example.com' });
    await register(session.id, { name: '=HYPERLINK("http://evil.example","click")', email: 'x@example.com' });
    await register(session.id, { name: '+1 (555) 0100', email: '-minus@example.com' });
    await register(session.id, { name: '@SUM(A1:A2)', email: 'at@example.com' });
    await register(session.id, { name: 'Zoë Ünïcode 東京', email: 'zoe@example.com' });
    await insertRaw(session.id, ['\tTabbed', '\r=cr', 'Two\r\nlines'], 'cancelled');
    await checkIn(ada.id).expect(200);

    const res = await csv(session.id).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="registrations-${session.id}.csv"`);
    const rows = parseCsv(res.text);
    expect(rows[0]).toEqual(['id', 'name', 'email', 'status', 'waitlistPosition', 'createdAt', 'checkedInAt']);
    const data = rows.slice(1);
    expect(data.map((r) => [r[1], r[2], r[3], r[4]])).toEqual([
      ['Lovelace, Ada "The Countess"', 'ada@example.com', 'confirmed', ''],
      [`'=HYPERLINK("http://evil.example","click")`, 'x@example.com', 'waitlisted', '1'],
      [`'+1 (555) 0100`, `'-minus@example.com`, 'waitlisted', '2'],
      [`'@SUM(A1:A2)`, 'at@example.com', 'waitlisted', '3'],
      ['Zoë Ünïcode 東京', 'zoe@example.com', 'waitlisted', '4'],
      ["'\tTabbed", expect.any(String), 'cancelled', ''],
      ["'\r=cr", expect.any(String), 'cancelled', ''],
      ['Two\r\nlines', expect.any(String), 'cancelled', ''],
    ]);
    expect(data[0][0]).toBe(ada.id);
    expect(new Date(data[0][5]).toISOString()).toBe(data[0][5]);
    expect(new Date(data[0][6]).toISOString()).toBe(data[0][6]);
    expect(data[1][6]).toBe('');
    // No cell a spreadsheet would evaluate.
    for (const cell of data.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);

    const waitlisted = parseCsv((await csv(session.id, '?status=waitlisted&limit=1').expect(200)).text);
    expect(waitlisted).toHaveLength(1 + 4); // every matching row: limit does not apply
  });

  it('streams every row of a large session, in batches, in queue order', async () => {
    const session = await f.publishedSession();
    await t.db.query(
      `INSERT INTO registrations (session_id, name, email, status, manage_token_hash)
       SELECT $1::uuid, 'Bulk ' || g, 'bulk' || g || '@example.com', 'confirmed', sha256(convert_to($1::text || g, 'UTF8'))
         FROM generate_series(1, 1234) g`,
      [session.id],
    );
    const rows = parseCsv((await csv(session.id).expect(200)).text).slice(1);
    expect(rows).toHaveLength(1234);
    expect(rows.map((r) => r[1])).toEqual(Array.from({ length: 1234 }, (_, i) => `Bulk ${i + 1}`));
    expect(new Set(rows.map((r) => r[0])).size).toBe(1234);
  });

  it('gives JSON unless text/csv is preferred', async () => {
    const session = await f.publishedSession();
    const res = await list(session.id).set('Accept', 'application/json, text/csv;q=0.5').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });
});

describe('POST /admin/registrations/:id/check-in', () => {
  it('checks a confirmed attendee in once; again, or waitlisted, or cancelled, is 409', async () => {
    const session = await f.publishedSession({ capacity: 1, waitlistEnabled: true });
    const confirmed = await register(session.id);
    const waitlisted = await register(session.id);

    const res = await checkIn(confirmed.id).expect(200);
    expect(res.body).toMatchObject({ id: confirmed.id, status: 'confirmed' });
    expect(Date.now() - Date.parse(res.body.checkedInAt)).toBeLessThan(60_000);
    expect((await t.http.get(`/registrations/${confirmed.manageToken}`)).body.checkedInAt).toBe(res.body.checkedInAt);

    expectProblem(await checkIn(confirmed.id), 409, 'conflict');
    expectProblem(await checkIn(waitlisted.id), 409, 'conflict');
    await t.http.delete(`/registrations/${waitlisted.manageToken}`).expect(200);
    expectProblem(await checkIn(waitlisted.id), 409, 'conflict');
    expectProblem(await checkIn(UNKNOWN_ID), 404, 'not-found');
    expectProblem(await checkIn('12'), 404, 'not-found');
  });
});

describe('POST /admin/registrations/:id/cancel', () => {
  it("cancels on the attendee's behalf and promotes the first waitlisted; repeating answers the same", async () => {
    const session = await f.publishedSession({ capacity: 1, waitlistEnabled: true });
    const seated = await register(session.id);
    const first = await register(session.id);
    const second = await register(session.id);

    const res = await staffCancel(seated.id).expect(200);
    expect(res.body).toMatchObject({ id: seated.id, status: 'cancelled', waitlistPosition: null });
    expect(res.body.cancelledAt).toEqual(expect.any(String));
    expect((await staffCancel(seated.id).expect(200)).body).toEqual(res.body);

    const promoted = (await t.http.get(`/registrations/${first.manageToken}`)).body;
    expect(promoted.status).toBe('confirmed');
    const row = (await list(session.id, '?status=confirmed').expect(200)).body.data[0];
    expect(row).toMatchObject({ id: first.id, promotedAt: expect.any(String) });
    expect((await t.http.get(`/registrations/${second.manageToken}`)).body.waitlistPosition).toBe(1);
    expect((await t.http.get(`/registrations/${seated.manageToken}`)).body.status).toBe('cancelled');
    expectProblem(await staffCancel(UNKNOWN_ID), 404, 'not-found');
  });
});

describe('OpenAPI document', () => {
  it('covers the registration routes, the Idempotency-Key header and the CSV media type', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    const register = doc.paths['/sessions/{id}/registrations'].post;
    expect(register.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]));
    expect(Object.keys(register.responses)).toEqual(expect.arrayContaining(['201', '400', '404', '409', '422', '429']));
    expect(doc.paths['/registrations/{token}'].get).toBeDefined();
    expect(doc.paths['/registrations/{token}'].delete).toBeDefined();
    const staffList = doc.paths['/admin/sessions/{id}/registrations'].get;
    expect(Object.keys(staffList.responses['200'].content)).toEqual(['application/json', 'text/csv']);
    expect(doc.paths['/admin/registrations/{id}/check-in'].post.responses['409']).toBeDefined();
    expect(doc.paths['/admin/registrations/{id}/cancel'].post.responses['403']).toBeDefined();
  });
});
