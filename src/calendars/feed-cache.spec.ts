import { CachedFeed, FeedCache } from './feed-cache';

const entry = (etag: string, bytes = 10): CachedFeed => ({ etag, lastModified: new Date(0), body: Buffer.alloc(bytes) });

describe('FeedCache', () => {
  it('answers only for the ETag it holds', () => {
    const cache = new FeedCache();
    cache.set('all', entry('"a"'));
    expect(cache.get('all', '"a"')?.etag).toBe('"a"');
    expect(cache.get('all', '"b"')).toBeUndefined();
    expect(cache.get('other', '"a"')).toBeUndefined();
  });

  it('keeps one body per feed: a new ETag replaces the old one', () => {
    const cache = new FeedCache();
    cache.set('all', entry('"a"', 10));
    cache.set('all', entry('"b"', 30));
    expect(cache.size).toBe(1);
    expect(cache.totalBytes).toBe(30);
    expect(cache.get('all', '"a"')).toBeUndefined();
  });

  it('evicts the least recently used feed beyond its entry limit', () => {
    const cache = new FeedCache(2);
    cache.set('one', entry('"1"'));
    cache.set('two', entry('"2"'));
    cache.get('one', '"1"');
    cache.set('three', entry('"3"'));
    expect(cache.get('two', '"2"')).toBeUndefined();
    expect(cache.get('one', '"1"')).toBeDefined();
    expect(cache.get('three', '"3"')).toBeDefined();
  });

  it('evicts by bytes, and never keeps a body larger than the whole budget', () => {
    const cache = new FeedCache(50, 100);
    cache.set('one', entry('"1"', 60));
    cache.set('two', entry('"2"', 60));
    expect(cache.get('one', '"1"')).toBeUndefined();
    expect(cache.totalBytes).toBe(60);
    cache.set('huge', entry('"h"', 101));
    expect(cache.get('huge', '"h"')).toBeUndefined();
    expect(cache.totalBytes).toBe(60);
  });

  it('forgets a feed on demand, and its bytes with it', () => {
    const cache = new FeedCache();
    cache.set('all', entry('"a"', 40));
    cache.set('other', entry('"o"', 5));
    cache.forget('all');
    cache.forget('never-cached');
    expect(cache.get('all', '"a"')).toBeUndefined();
    expect([cache.size, cache.totalBytes]).toEqual([1, 5]);
  });
});
