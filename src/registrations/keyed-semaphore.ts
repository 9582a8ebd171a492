export interface KeyedSemaphoreOptions {
  /** Holders allowed at once per key. */
  limit: number;
  /** How long a caller may wait for its turn before `timeoutError()` is thrown. */
  maxWaitMs: number;
  timeoutError: () => Error;
}

interface Slot {
  active: number;
  waiting: (() => void)[];
}

/**
 * At most `limit` concurrent runs per key; the others wait in arrival order. Registrations wait
 * for a session's row lock holding a connection: this keeps a rush on one session from emptying the pool.
 */
export class KeyedSemaphore {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly options: KeyedSemaphoreOptions) {}

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    await this.acquire(key);
    try {
      return await fn();
    } finally {
      this.release(key);
    }
  }

  /** Runs in progress and callers waiting, per key (for tests and diagnostics). */
  state(key: string): { active: number; waiting: number } {
    const slot = this.slots.get(key);
    return { active: slot?.active ?? 0, waiting: slot?.waiting.length ?? 0 };
  }

  private acquire(key: string): Promise<void> {
    let slot = this.slots.get(key);
    if (!slot) this.slots.set(key, (slot = { active: 0, waiting: [] }));
    if (slot.active < this.options.limit) {
      slot.active++;
      return Promise.resolve();
    }
    const queue = slot.waiting;
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        queue.splice(queue.indexOf(grant), 1);
        reject(this.options.timeoutError());
      }, this.options.maxWaitMs);
      queue.push(grant);
    });
  }

  private release(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    const next = slot.waiting.shift();
    // The permit passes to the next caller as is; the count drops only when nobody waits.
    if (next) next();
    else if (--slot.active === 0) this.slots.delete(key);
  }
}
