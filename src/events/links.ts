/** Absolute links for JSON and feeds, all built from PUBLIC_BASE_URL. */
export function webcalOf(httpUrl: string): string {
  return httpUrl.replace(/^https?:\/\//i, 'webcal://');
}

export function googleSubscribeOf(httpUrl: string): string {
  return `https://calendar.google.com/calendar/r?cid=${encodeURIComponent(webcalOf(httpUrl))}`;
}

export function sessionLinks(baseUrl: string, sessionId: string) {
  const ics = `${baseUrl}/sessions/${sessionId}/calendar.ics`;
  return { register: `${baseUrl}/sessions/${sessionId}/registrations`, ics, webcal: webcalOf(ics), google: googleSubscribeOf(ics) };
}

export function eventLinks(baseUrl: string, event: { id: string; slug: string }) {
  const ics = `${baseUrl}/events/${event.slug}/calendar.ics`;
  return { self: `${baseUrl}/events/${event.slug}`, ics, webcal: webcalOf(ics), google: googleSubscribeOf(ics) };
}
