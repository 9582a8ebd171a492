import { createHash } from 'node:crypto';

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
