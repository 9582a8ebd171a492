import { Injectable } from '@nestjs/common';
import { decodeCursor, Page, toPage } from '../common/cursor';
import { NotFoundError } from '../common/errors';
import { Database } from '../database/database';
import { SessionChanges } from '../events/session-changes';
import type { MessageView } from './dto/message.view';
import { ENQUEUE_RESEND_SQL, enqueueForEvent, enqueueForSession, MessageRow, messagesSql } from './outbox.queries';

/** What people ask of the mail: attendees a new manage link, staff where a registration's messages stand. */
@Injectable()
export class MailService {
  constructor(
    private readonly db: Database,
    sessionChanges: SessionChanges,
  ) {
    // Staff changes tell attendees, in the change's own transaction.
    sessionChanges.subscribe({
      sessionRescheduled: (tx, sessionId, requestId) => enqueueForSession(tx, sessionId, 'session-updated', requestId),
      sessionCancelled: (tx, sessionId, requestId) => enqueueForSession(tx, sessionId, 'session-cancelled', requestId),
      eventMoved: (tx, eventId, requestId) => enqueueForEvent(tx, eventId, 'session-updated', 'inheriting-venue', requestId),
      eventCancelling: (tx, eventId, requestId) => enqueueForEvent(tx, eventId, 'session-cancelled', 'not-cancelled', requestId),
    });
  }

  /**
   * Queues a manage-link message when this email holds a live place in this session; does
   * nothing otherwise. The caller answers the same either way, so nothing is revealed.
   */
  async resend(sessionId: string, email: string, requestId: string): Promise<void> {
    await this.db.query(ENQUEUE_RESEND_SQL, [sessionId, email, requestId]);
  }

  async messages(registrationId: string, limit = 20, cursor?: string): Promise<Page<MessageView>> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const [registration] = await this.db.query(`SELECT 1 FROM registrations WHERE id = $1`, [registrationId]);
    if (!registration) throw new NotFoundError('Registration');
    const { text, params } = messagesSql(registrationId, after, limit + 1);
    const rows = await this.db.query<MessageRow>(text, params);
    return toPage(rows, limit, (r) => [r.created_at.toISOString(), r.id], toMessageView);
  }
}

function toMessageView(row: MessageRow): MessageView {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    requestId: row.request_id,
    createdAt: row.created_at.toISOString(),
    sentAt: row.sent_at?.toISOString() ?? null,
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
  };
}
