import { Injectable } from '@nestjs/common';
import type { Transaction } from '../database/database';

export type SeatsFreedHandler = (tx: Transaction, sessionId: string) => Promise<unknown>;

/**
 * Seats a staff change frees (a capacity raised or removed) go to whoever owns the waitlist:
 * registrations subscribes here, so events never imports it. Runs in the change's transaction,
 * which holds the session's row lock.
 */
@Injectable()
export class SeatsFreed {
  private readonly handlers: SeatsFreedHandler[] = [];

  subscribe(handler: SeatsFreedHandler): void {
    this.handlers.push(handler);
  }

  async emit(tx: Transaction, sessionId: string): Promise<void> {
    for (const handler of this.handlers) await handler(tx, sessionId);
  }
}
