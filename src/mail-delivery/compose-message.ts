import { join } from 'node:path';
import { Eta } from 'eta';
import { formatLocation, toCalendarSession } from '../calendars/calendar-feed';
import { renderCalendar } from '../calendars/render-calendar';
import { formatDate, formatTimeRange } from '../pages/page-format';
import { calendarMethod, CalendarMethod, MessageKind } from '../mail/message-kind';
import type { ClaimedMessageRow } from './delivery.queries';

/** What every message shares: where links point, who sends it. */
export interface MailContext {
  publicBaseUrl: string;
  /** MAIL_FROM as configured: `Name <address>` or an address. */
  from: string;
}

export interface ComposedMail {
  /** Stable per outbox row, so a retried message is recognisably the same one. */
  messageId: string;
  from: string;
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  /** The iMIP part (`text/calendar; method=…`), for the messages that carry one. */
  calendar?: { method: CalendarMethod; content: string };
}

/** The mail templates: the same files rendered as HTML (escaped) and as plain text. */
export class MailViews {
  private readonly html: Eta;
  private readonly text: Eta;

  constructor(views = join(__dirname, 'views')) {
    this.html = new Eta({ views, autoEscape: true, cache: true });
    // Plain text keeps its line breaks: only control tags marked `-%>` eat theirs.
    this.text = new Eta({ views, autoEscape: false, autoTrim: false, cache: true });
  }

  render(data: MessageData): { html: string; text: string } {
    return {
      html: this.html.render('./message.html.eta', data),
      text: tidyText(this.text.render('./message.txt.eta', data)),
    };
  }
}

export interface MessageData {
  kind: MessageKind;
  subject: string;
  name: string;
  title: string;
  date: string;
  time: string;
  where: string | null;
  organizer: string | null;
  manageUrl: string;
  eventUrl: string;
  status: ClaimedMessageRow['registration_status'];
  position: number | null;
  cancelledBy: string | null;
}

/** One outbox row as a whole message; `manageToken` is the token this mail carries. */
export function composeMessage(views: MailViews, row: ClaimedMessageRow, manageToken: string, ctx: MailContext): ComposedMail {
  const details = row.details ?? {};
  const position = typeof details.position === 'number' ? details.position : null;
  const subject = subjectOf(row.kind, oneLine(row.event_title), position);
  const data: MessageData = {
    kind: row.kind,
    subject,
    name: row.name,
    title: row.event_title,
    date: formatDate(row.starts_at, row.timezone),
    time: formatTimeRange(row.starts_at, row.ends_at, row.timezone),
    where: formatLocation(row.venue, row.online_url),
    organizer: row.organizer,
    manageUrl: `${ctx.publicBaseUrl}/m/${manageToken}`,
    eventUrl: `${ctx.publicBaseUrl}/e/${encodeURIComponent(row.event_slug)}`,
    status: row.registration_status,
    position,
    cancelledBy: typeof details.by === 'string' ? details.by : null,
  };
  const method = calendarMethod({
    kind: row.kind,
    registrationStatus: row.registration_status,
    sessionCancelled: row.session_status === 'cancelled',
    cancelledFrom: typeof details.from === 'string' ? details.from : undefined,
  });
  return {
    messageId: `<${row.id}@${new URL(ctx.publicBaseUrl).hostname}>`,
    from: ctx.from,
    to: { name: oneLine(row.name), address: row.email },
    subject,
    ...views.render(data),
    ...(method && { calendar: { method, content: renderInvitation(row, method, ctx) } }),
  };
}

function subjectOf(kind: MessageKind, title: string, position: number | null): string {
  switch (kind) {
    case 'confirmed':
      return `You're registered: ${title}`;
    case 'waitlisted':
      return position === null ? `You're on the waitlist: ${title}` : `You're on the waitlist (position ${position}): ${title}`;
    case 'promoted':
      return `You have a place: ${title}`;
    case 'cancelled':
      return `Your place is cancelled: ${title}`;
    case 'session-updated':
      return `Changed: ${title}`;
    case 'session-cancelled':
      return `Cancelled: ${title}`;
    case 'manage-link':
      return `Your link for ${title}`;
  }
}

/**
 * The session as an iTIP message, written by the feeds' renderer: the same UID and SEQUENCE a
 * subscriber's calendar holds (a cancelled place counts one more, as in the registration feed).
 */
export function renderInvitation(row: ClaimedMessageRow, method: CalendarMethod, ctx: MailContext): string {
  return renderCalendar({
    name: row.event_title,
    method,
    sessions: [
      {
        ...toCalendarSession({ ...row, id: row.session_id, status: row.session_status }, ctx.publicBaseUrl),
        status: method === 'CANCEL' ? 'cancelled' : row.session_status,
        sequence: row.sequence + (row.registration_status === 'cancelled' ? 1 : 0),
        organizerEmail: addressOf(ctx.from),
        attendee: { name: row.name, email: row.email },
      },
    ],
  });
}

/** The address in `Name <address>`, or the whole value when it is a bare address. */
export function addressOf(mailbox: string): string {
  return /<([^<>]+)>\s*$/.exec(mailbox)?.[1] ?? mailbox.trim();
}

/** Header text: no line breaks or other controls (an event title is staff input). */
function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return value.replace(/[\u0000-\u001F\u007F]+/g, ' ').trim();
}

/** At most one blank line in a row, and none at the ends: templates' conditionals leave gaps. */
function tidyText(text: string): string {
  return `${text
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
