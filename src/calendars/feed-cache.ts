import { LRUCache } from 'lru-cache';

export interface CachedFeed {
  etag: string;
  lastModified: Date;
  body: Buffer;
  /** For downloads: the file name of Content-Disposition. */
  filename?: string;
}

/**
 * The last rendered body of each recently asked-for feed, so polls of an unchanged feed skip the
 * rows query and the rendering. One entry per feed (a new ETag replaces the old body), least
 * recently used evicted first, bounded by entries and by bytes.
 */
export class FeedCache {
  private readonly entries: LRUCache<string, CachedFeed>;

  constructor(maxEntries = 50, maxBytes = 32 * 1024 * 1024) {
    // A body larger than maxBytes is not stored at all.
    this.entries = new LRUCache({ max: maxEntries, maxSize: maxBytes, sizeCalculation: (entry) => Math.max(1, entry.body.length) });
  }

  /** The cached body of `feedKey`, if it is the one for `etag`; only a hit counts as a use. */
  get(feedKey: string, etag: string): CachedFeed | undefined {
    return this.entries.peek(feedKey)?.etag === etag ? this.entries.get(feedKey) : undefined;
  }

  set(feedKey: string, entry: CachedFeed): void {
    this.entries.set(feedKey, entry);
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.entries.calculatedSize;
  }

  /** Drops the feed's body, e.g. once its ETag has moved on and a new body is on its way. */
  forget(feedKey: string): void {
    this.entries.delete(feedKey);
  }
}
