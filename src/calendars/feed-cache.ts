/**
 * The last rendered body of each recently asked-for feed, so polls of an unchanged feed skip the
 * rows query and the rendering. One entry per feed (a new ETag replaces the old body), least
 * recently used evicted first, bounded by entries and by bytes.
 */
export interface CachedFeed {
  etag: string;
  lastModified: Date;
  body: Buffer;
  /** For downloads: the file name of Content-Disposition. */
  filename?: string;
}

export class FeedCache {
  private readonly entries = new Map<string, CachedFeed>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 50,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  /** The cached body of `feedKey`, if it is the one for `etag`. */
  get(feedKey: string, etag: string): CachedFeed | undefined {
    const entry = this.entries.get(feedKey);
    if (!entry || entry.etag !== etag) return undefined;
    // Map iteration follows insertion order: re-inserting marks the entry most recently used.
    this.entries.delete(feedKey);
    this.entries.set(feedKey, entry);
    return entry;
  }

  set(feedKey: string, entry: CachedFeed): void {
    this.forget(feedKey);
    if (entry.body.length > this.maxBytes) return;
    this.entries.set(feedKey, entry);
    this.bytes += entry.body.length;
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.forget(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** Drops the feed's body, e.g. once its ETag has moved on and a new body is on its way. */
  forget(feedKey: string): void {
    const old = this.entries.get(feedKey);
    if (!old) return;
    this.entries.delete(feedKey);
    this.bytes -= old.body.length;
  }
}
