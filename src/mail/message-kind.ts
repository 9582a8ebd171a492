/** What happened, as the outbox records it; each is one kind of message. */
export const MESSAGE_KINDS = [
  'confirmed',
  'waitlisted',
  'promoted',
  'cancelled',
  'session-updated',
  'session-cancelled',
  'manage-link',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** What a message's calendar part says (iTIP, RFC 5546), or null for none. */
export type CalendarMethod = 'REQUEST' | 'CANCEL';

export interface CalendarFacts {
  kind: MessageKind;
  registrationStatus: 'confirmed' | 'waitlisted' | 'cancelled';
  sessionCancelled: boolean;
  /** For a `cancelled` message: the place's status before it was cancelled. */
  cancelledFrom?: string;
}

/**
 * Only people with a seat have (or get) the session in their calendar: an invitation for the
 * confirmed, a cancellation for whoever was sent one. Waitlisted people and the manage-link
 * reminder get no calendar part. A session cancelled meanwhile turns any invitation into CANCEL.
 */
export function calendarMethod(f: CalendarFacts): CalendarMethod | null {
  switch (f.kind) {
    case 'waitlisted':
    case 'manage-link':
      return null;
    case 'cancelled':
      return f.cancelledFrom === 'waitlisted' ? null : 'CANCEL';
    case 'session-cancelled':
      return f.registrationStatus === 'confirmed' ? 'CANCEL' : null;
    case 'confirmed':
    case 'promoted':
    case 'session-updated':
      if (f.registrationStatus !== 'confirmed') return null;
      return f.sessionCancelled ? 'CANCEL' : 'REQUEST';
  }
}
