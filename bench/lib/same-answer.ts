import { isDeepStrictEqual } from 'node:util';
import { feedDifference, parseFeed } from './ical-compare';
import type { ServerProcess } from './processes';

/**
 * A ratio means something only when both targets do the same work: this fetches the same
 * pages from each and compares the JSON, with each target's own address (plain, webcal:, or
 * percent-encoded) read as one placeholder. `next` follows a page to the next one (e.g. its
 * cursor), so pagination is compared too. Returns what differs, or null.
 */
export async function differingAnswer(
  targets: ServerProcess[],
  firstPath: string,
  next: (body: unknown) => string | null,
  pages = 2,
): Promise<string | null> {
  const answers = await Promise.all(targets.map((t) => fetchPages(t, firstPath, next, pages)));
  for (let i = 1; i < answers.length; i++) {
    if (!isDeepStrictEqual(answers[0], answers[i])) {
      return `${targets[0].name} and ${targets[i].name} answer ${firstPath} differently:\n${JSON.stringify(answers[0]).slice(0, 600)}\n${JSON.stringify(answers[i]).slice(0, 600)}`;
    }
  }
  return null;
}

async function fetchPages(
  target: ServerProcess,
  firstPath: string,
  next: (body: unknown) => string | null,
  pages: number,
): Promise<unknown[]> {
  const host = new URL(target.url).host;
  const bodies: unknown[] = [];
  let path: string | null = firstPath;
  while (path !== null && bodies.length < pages) {
    const res = await fetch(`${target.url}${path}`);
    const text = (await res.text()).split(host).join('HOST').split(encodeURIComponent(host)).join('HOST');
    const body: unknown = JSON.parse(text);
    bodies.push({ status: res.status, body });
    path = res.ok ? next(body) : null;
  }
  return bodies;
}

/** The feed at `path` from each target, compared as calendars (see ical-compare.ts). */
export async function differingFeed(targets: ServerProcess[], path: string): Promise<string | null> {
  const feeds = await Promise.all(
    targets.map(async (t) => {
      const res = await fetch(`${t.url}${path}`);
      const text = await res.text();
      if (res.status !== 200 || !res.headers.get('content-type')?.startsWith('text/calendar')) {
        throw new Error(`${t.name} answered ${path} with ${res.status} ${res.headers.get('content-type')}`);
      }
      return parseFeed(text, new URL(t.url).host);
    }),
  );
  for (let i = 1; i < feeds.length; i++) {
    const difference = feedDifference(feeds[0], feeds[i], [targets[0].name, targets[i].name]);
    if (difference) return `${path}: ${difference}`;
  }
  return null;
}

/** Status, media type and JSON body of one GET, compared. */
export async function differingJson(targets: ServerProcess[], path: string): Promise<string | null> {
  const answers = await Promise.all(
    targets.map(async (t) => {
      const res = await fetch(`${t.url}${path}`);
      return {
        status: res.status,
        type: res.headers.get('content-type')?.toLowerCase().replace(/\s/g, ''),
        body: await res.json(),
      };
    }),
  );
  for (let i = 1; i < answers.length; i++) {
    if (!isDeepStrictEqual(answers[0], answers[i])) {
      return `${targets[0].name} and ${targets[i].name} answer ${path} differently: ${JSON.stringify(answers[0])} / ${JSON.stringify(answers[i])}`;
    }
  }
  return null;
}

export interface Answer {
  status: number;
  body: unknown;
}

/**
 * Answers compared with what is unique to each request read as placeholders: ids, secret
 * tokens (and the links that carry them), creation instants and each target's address.
 */
export function normalizedAnswer(answer: { status: number; text: string }, host: string, unique: Record<string, string>): Answer {
  let text = answer.text.split(host).join('HOST').split(encodeURIComponent(host)).join('HOST');
  for (const [value, placeholder] of Object.entries(unique)) if (value) text = text.split(value).join(placeholder);
  return { status: answer.status, body: JSON.parse(text) as unknown };
}
