import { ValidationError } from './errors';
import { decodeCursor, encodeCursor, toPage } from './cursor';

describe('cursors', () => {
  const id = '3f1c2f3e-8a4b-4c7d-9e0f-123456789abc';

  it('round-trips a sort key with microseconds', () => {
    const key: [string, string] = ['2027-08-01T18:00:00.123456Z', id];
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(key);
  });

  it.each([
    ['not base64url', '!!!'],
    ['empty', ''],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    // Array-like, so only the Array.isArray check can refuse it.
    ['an object', Buffer.from(JSON.stringify({ 0: '2027-08-01T00:00:00Z', 1: id, length: 2 })).toString('base64url')],
    ['a bad timestamp', Buffer.from(JSON.stringify(['2027-13-01T00:00:00Z', id])).toString('base64url')],
    ['a day that does not exist', Buffer.from(JSON.stringify(['2027-02-30T00:00:00Z', id])).toString('base64url')],
    ['a bad id', Buffer.from(JSON.stringify(['2027-08-01T00:00:00Z', "1' OR 1=1"])).toString('base64url')],
    ['three parts', Buffer.from(JSON.stringify(['2027-08-01T00:00:00Z', id, 1])).toString('base64url')],
    ['a number', Buffer.from(JSON.stringify([1, id])).toString('base64url')],
    ['too long', 'a'.repeat(600)],
  ])('rejects %s as a validation error', (_what, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(ValidationError);
  });

  it('accepts a custom first part when the caller allows it', () => {
    const cursor = encodeCursor(['infinity', id]);
    expect(() => decodeCursor(cursor)).toThrow(ValidationError);
    expect(decodeCursor(cursor, (v) => v === 'infinity')).toEqual(['infinity', id]);
  });

  it('makes a page from limit+1 rows', () => {
    const rows = [1, 2, 3].map((n) => ({ n, ts: `2027-08-0${n}T00:00:00Z`, id }));
    const page = toPage(
      rows,
      2,
      (r) => [r.ts, r.id],
      (r) => r.n,
    );
    expect(page.data).toEqual([1, 2]);
    expect(decodeCursor(page.nextCursor as string)).toEqual(['2027-08-02T00:00:00Z', id]);
    expect(
      toPage(
        rows,
        3,
        (r) => [r.ts, r.id],
        (r) => r.n,
      ).nextCursor,
    ).toBeNull();
  });
});
