import { googleSubscribeOf, webcalOf } from '../events/links';

/** Absolute feed URLs, built from PUBLIC_BASE_URL like every other link. */
export function feedLinks(ics: string): { ics: string; webcal: string; google: string } {
  return { ics, webcal: webcalOf(ics), google: googleSubscribeOf(ics) };
}

export function allFeedUrl(baseUrl: string): string {
  return `${baseUrl}/calendars/all.ics`;
}

export function categoryFeedUrl(baseUrl: string, category: string): string {
  return `${baseUrl}/calendars/categories/${encodeURIComponent(category)}.ics`;
}

export function eventFeedUrl(baseUrl: string, slug: string): string {
  return `${baseUrl}/events/${slug}/calendar.ics`;
}

export function sessionFeedUrl(baseUrl: string, sessionId: string): string {
  return `${baseUrl}/sessions/${sessionId}/calendar.ics`;
}
