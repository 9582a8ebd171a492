import { isNotModified, publicCacheControl, strongEtag, varyWithoutOrigin } from './conditional-get';

describe('isNotModified', () => {
  const etag = strongEtag('a feed');
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

describe('isNotModified without Last-Modified', () => {
  const etag = strongEtag('a page');

  it('ignores If-Modified-Since: there is nothing to compare it with', () => {
    expect(isNotModified({ ifModifiedSince: new Date().toUTCString() }, etag)).toBe(false);
  });

  it('still answers If-None-Match, lists and * included', () => {
    expect(isNotModified({ ifNoneMatch: `"a", W/${etag}` }, etag)).toBe(true);
    expect(isNotModified({ ifNoneMatch: '*' }, etag)).toBe(true);
    expect(isNotModified({ ifNoneMatch: strongEtag('another page') }, etag)).toBe(false);
  });
});

describe('strongEtag', () => {
  it('is a quoted strong validator that changes with any byte', () => {
    expect(strongEtag('{"data":[]}')).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(strongEtag('{"data":[]}')).toBe(strongEtag(Buffer.from('{"data":[]}')));
    expect(strongEtag('{"data":[]}')).not.toBe(strongEtag('{"data":[] }'));
  });
});

describe('publicCacheControl', () => {
  const policy = { maxAgeS: 10, staleWhileRevalidateS: 30 };
  const now = 1_000_000;

  it('gives the policy when nothing but a change alters the answer', () => {
    expect(publicCacheControl(policy, now)).toBe('public, max-age=10, stale-while-revalidate=30');
  });

  it('never lets max-age reach past the instant time changes the answer', () => {
    expect(publicCacheControl(policy, now, now + 60_000)).toBe('public, max-age=10, stale-while-revalidate=30');
    expect(publicCacheControl(policy, now, now + 3_999)).toBe('public, max-age=3, stale-while-revalidate=30');
    expect(publicCacheControl(policy, now, now + 999)).toBe('public, max-age=0, stale-while-revalidate=30');
    expect(publicCacheControl(policy, now, now - 5)).toBe('public, max-age=0, stale-while-revalidate=30');
  });
});

describe('varyWithoutOrigin', () => {
  it.each([
    [undefined, undefined],
    ['Origin', undefined],
    ['origin', undefined],
    ['Origin, Accept-Encoding', 'Accept-Encoding'],
    [['Accept', 'Origin, Accept-Language'], 'Accept, Accept-Language'],
    ['Access-Control-Request-Headers', 'Access-Control-Request-Headers'],
  ])('%j becomes %j', (vary, expected) => {
    expect(varyWithoutOrigin(vary)).toBe(expected);
  });
});
