import { computeEtag, isNotModified, parseEntityTags, parseHttpDate } from './calendar-validator';

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

describe('parseEntityTags', () => {
  it('reads lists, weak tags and commas inside tags', () => {
    expect(parseEntityTags('"a", W/"b" ,"c,d",W/"",  "e"')).toEqual(['"a"', '"b"', '"c,d"', '""', '"e"']);
  });

  it('keeps what parsed before a malformed member', () => {
    expect(parseEntityTags('"a", b, "c"')).toEqual(['"a"']);
    expect(parseEntityTags('"a", "unterminated')).toEqual(['"a"']);
    expect(parseEntityTags('w/"lowercase-w"')).toEqual([]);
  });
});

describe('parseHttpDate', () => {
  const instant = Date.UTC(1994, 10, 6, 8, 49, 37);

  it('accepts the three HTTP-date forms', () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(instant);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(instant);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(instant);
    expect(parseHttpDate(new Date('2027-06-01T12:00:00Z').toUTCString())).toBe(Date.UTC(2027, 5, 1, 12));
  });

  it.each([
    '',
    'yesterday',
    '2027-06-01T12:00:00Z',
    '1717243200',
    'Sun, 06 Nov 1994 08:49:37 PST',
    'Sun, 31 Feb 1994 08:49:37 GMT',
    'Sun, 06 Foo 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 25:49:37 GMT',
  ])('rejects %p', (value) => {
    expect(parseHttpDate(value)).toBeNull();
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

  it('ignores an invalid If-Modified-Since, and an empty If-None-Match', () => {
    expect(isNotModified({ ifModifiedSince: 'not a date' }, etag, lastModified)).toBe(false);
    expect(isNotModified({ ifNoneMatch: ' ', ifModifiedSince: httpDate('2027-06-02T00:00:00Z') }, etag, lastModified)).toBe(true);
  });
});
