import { computeEtag, isNotModified } from './calendar-validator';

const base = { kind: 'event', key: 'e1', count: 3, maxModified: new Date('2027-06-01T12:00:00.250Z'), maxSequence: 2 };

describe('computeEtag', () => {
  it('is a quoted strong validator of base64url characters', () => {
    expect(computeEtag(base)).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
  });

  it('is stable for the same parts', () => {
    expect(computeEtag({ ...base, maxModified: new Date(base.maxModified.getTime()) })).toBe(computeEtag(base));
  });

  it.each([
    ['kind', { kind: 'all' }],
    ['key', { key: 'e2' }],
    ['count', { count: 4 }],
    ['maxModified, to the millisecond', { maxModified: new Date('2027-06-01T12:00:00.251Z') }],
    ['maxModified present or not', { maxModified: null }],
    ['maxSequence', { maxSequence: 3 }],
    ['maxSequence present or not', { maxSequence: undefined }],
    ['fingerprint', { fingerprint: 'x' }],
  ])('changes with %s', (_, change) => {
    expect(computeEtag({ ...base, ...change })).not.toBe(computeEtag(base));
  });

  it('cannot be forged by moving text between kind and key', () => {
    expect(computeEtag({ ...base, kind: 'ab', key: 'c' })).not.toBe(computeEtag({ ...base, kind: 'a', key: 'bc' }));
  });
});

describe('isNotModified', () => {
  const etag = computeEtag(base);
  const lastModified = new Date('2027-06-01T12:00:00.750Z');
  const httpDate = (iso: string) => new Date(iso).toUTCString();

  it('is false without conditional headers', () => {
    expect(isNotModified({}, etag, lastModified)).toBe(false);
  });

  it('matches If-None-Match by weak comparison, in lists, and *', () => {
    expect(isNotModified({ ifNoneMatch: etag }, etag, lastModified)).toBe(true);
    expect(isNotModified({ ifNoneMatch: `W/${etag}` }, etag, lastModified)).toBe(true);
    expect(isNotModified({ ifNoneMatch: `"other", ${etag}` }, etag, lastModified)).toBe(true);
    expect(isNotModified({ ifNoneMatch: '*' }, etag, lastModified)).toBe(true);
    expect(isNotModified({ ifNoneMatch: '"other"' }, etag, lastModified)).toBe(false);
    expect(isNotModified({ ifNoneMatch: etag.slice(1, -1) }, etag, lastModified)).toBe(false); // unquoted
  });

  it('lets If-None-Match decide over If-Modified-Since', () => {
    const fresh = httpDate('2027-06-02T00:00:00Z');
    expect(isNotModified({ ifNoneMatch: '"other"', ifModifiedSince: fresh }, etag, lastModified)).toBe(false);
    expect(isNotModified({ ifNoneMatch: etag, ifModifiedSince: httpDate('2000-01-01T00:00:00Z') }, etag, lastModified)).toBe(true);
  });

  it('compares If-Modified-Since at one-second precision', () => {
    expect(isNotModified({ ifModifiedSince: httpDate('2027-06-01T12:00:00Z') }, etag, lastModified)).toBe(true);
    expect(isNotModified({ ifModifiedSince: httpDate('2027-06-01T12:00:01Z') }, etag, lastModified)).toBe(true);
    expect(isNotModified({ ifModifiedSince: httpDate('2027-06-01T11:59:59Z') }, etag, lastModified)).toBe(false);
  });

  it('reads If-Modified-Since in the obsolete RFC 850 form too', () => {
    expect(isNotModified({ ifModifiedSince: 'Tuesday, 01-Jun-27 12:00:00 GMT' }, etag, lastModified)).toBe(true);
  });

  it('ignores an invalid If-Modified-Since, and an empty If-None-Match', () => {
    expect(isNotModified({ ifModifiedSince: 'not a date' }, etag, lastModified)).toBe(false);
    expect(isNotModified({ ifNoneMatch: ' ', ifModifiedSince: httpDate('2027-06-02T00:00:00Z') }, etag, lastModified)).toBe(true);
  });
});
