import { computeEtag } from './calendar-validator';

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
