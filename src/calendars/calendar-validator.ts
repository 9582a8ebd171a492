import { createHash } from 'node:crypto';
import fresh from 'fresh';

export interface EtagParts {
  /** Which feed: 'session', 'event', 'all', 'category', 'registration'. */
  kind: string;
  /** What else selects or shapes the output (id, category, base URL...). */
  key: string;
  count: number;
  maxModified: Date | null;
  maxSequence?: number;
  /** Anything else that changes with the content (e.g. sums of row timestamps), compared exactly. */
  fingerprint?: string;
}

/** Bump when the rendered bytes change for the same data, so caches don't keep stale feeds. */
const FORMAT_VERSION = 'ics-1';

/**
 * Strong validator for a feed. The renderer is deterministic (no "now" in the output), so the
 * same parts always mean byte-identical bodies.
 */
export function computeEtag(parts: EtagParts): string {
  const material = [
    FORMAT_VERSION,
    parts.kind,
    parts.key,
    String(parts.count),
    parts.maxModified ? String(parts.maxModified.getTime()) : '-',
    String(parts.maxSequence ?? '-'),
    parts.fingerprint ?? '-',
  ].join('\u0000');
  const digest = createHash('sha256').update(material).digest('base64url');
  return `"${digest.slice(0, 27)}"`;
}

export interface ConditionalHeaders {
  ifNoneMatch?: string;
  ifModifiedSince?: string;
}

/**
 * RFC 9110 §13.2.2 for GET/HEAD, by `fresh`: If-None-Match (weak comparison, lists, `*`) decides
 * when present; otherwise If-Modified-Since, at one-second precision. An empty If-None-Match is absent.
 */
export function isNotModified(headers: ConditionalHeaders, etag: string, lastModified: Date): boolean {
  return fresh(
    { 'if-none-match': headers.ifNoneMatch?.trim() || undefined, 'if-modified-since': headers.ifModifiedSince },
    { etag, 'last-modified': lastModified.toUTCString() },
  );
}
