import { LRUCache } from 'lru-cache';

interface Memo<V> {
  validators: V;
  generation: number;
  expiresAt: number;
}

export interface MemoOptions<V> {
  /** How long anything is trusted at most (default 10 s). */
  ttlMs?: number;
  maxEntries?: number;
  /** Bounds the sum of `sizeOf` over the entries too (e.g. the bytes of remembered bodies). */
  maxSize?: { total: number; sizeOf: (validators: V) => number };
}

/**
 * Validators (an ETag and whatever goes with it, even the answer itself) as last read from the
 * database, trusted while no change notification arrived since (same `generation`) and until
 * `expiresAt` (when time alone changes the answer, and a short TTL that bounds staleness should
 * notifications ever be lost unnoticed). Keys come from URLs, so the memo is bounded: least
 * recently used out.
 */
export class ValidatorMemo<V> {
  readonly ttlMs: number;
  private readonly memos: LRUCache<string, Memo<V>>;

  constructor({ ttlMs = 10_000, maxEntries = 1000, maxSize }: MemoOptions<V> = {}) {
    this.ttlMs = ttlMs;
    this.memos = new LRUCache<string, Memo<V>>({
      max: maxEntries,
      ...(maxSize ? { maxSize: maxSize.total, sizeCalculation: (memo) => Math.max(1, maxSize.sizeOf(memo.validators)) } : {}),
    });
  }

  get(key: string, generation: number, now: number): V | undefined {
    const memo = this.memos.get(key);
    if (!memo) return undefined;
    if (memo.generation === generation && now < memo.expiresAt) return memo.validators;
    this.memos.delete(key);
    return undefined;
  }

  set(key: string, validators: V, generation: number, expiresAt: number): void {
    this.memos.set(key, { validators, generation, expiresAt });
  }

  get size(): number {
    return this.memos.size;
  }
}
