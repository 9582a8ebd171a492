import { LRUCache } from 'lru-cache';
import type { FeedValidators } from './calendar-feed';

interface Memo {
  validators: FeedValidators;
  generation: number;
  expiresAt: number;
}

/**
 * Each feed's validators as last read from the database, trusted while no change notification
 * arrived since (same `generation`) and until `expiresAt` (when the 30-day window next drops a
 * session, and a short TTL that bounds staleness should notifications ever be lost unnoticed).
 * Feed names come from URLs, so the memo is bounded: least recently used out.
 */
export class ValidatorMemo {
  private readonly memos: LRUCache<string, Memo>;

  constructor(
    readonly ttlMs = 10_000,
    maxEntries = 1000,
  ) {
    this.memos = new LRUCache({ max: maxEntries });
  }

  get(key: string, generation: number, now: number): FeedValidators | undefined {
    const memo = this.memos.get(key);
    if (!memo) return undefined;
    if (memo.generation === generation && now < memo.expiresAt) return memo.validators;
    this.memos.delete(key);
    return undefined;
  }

  set(key: string, validators: FeedValidators, generation: number, expiresAt: number): void {
    this.memos.set(key, { validators, generation, expiresAt });
  }

  get size(): number {
    return this.memos.size;
  }
}
