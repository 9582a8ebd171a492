import { Injectable } from '@nestjs/common';
import type { Transaction } from '../database/database';

/**
 * What a staff change to events and sessions tells others, inside its transaction, with the id of
 * the request that made it (for the messages it causes).
 */
export interface SessionChangeListener {
  /** A capacity raised or removed: the waitlist's owner fills the seats (the session row is locked). */
  seatsFreed?(tx: Transaction, sessionId: string, requestId: string): Promise<unknown>;
  /** A new time or place (its SEQUENCE grew). */
  sessionRescheduled?(tx: Transaction, sessionId: string, requestId: string): Promise<unknown>;
  sessionCancelled?(tx: Transaction, sessionId: string, requestId: string): Promise<unknown>;
  /** The event's place changed: its sessions without a venue of their own have moved. */
  eventMoved?(tx: Transaction, eventId: string, requestId: string): Promise<unknown>;
  /** The event is being cancelled; its sessions are not cancelled yet. */
  eventCancelling?(tx: Transaction, eventId: string, requestId: string): Promise<unknown>;
}

type Change = keyof SessionChangeListener;

/**
 * Registrations and mail subscribe here, so events imports neither of them: features import downward.
 */
@Injectable()
export class SessionChanges {
  private readonly listeners: SessionChangeListener[] = [];

  subscribe(listener: SessionChangeListener): void {
    this.listeners.push(listener);
  }

  async emit(change: Change, tx: Transaction, id: string, requestId: string): Promise<void> {
    for (const listener of this.listeners) await listener[change]?.(tx, id, requestId);
  }
}
