import { isDeepStrictEqual } from 'node:util';
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
