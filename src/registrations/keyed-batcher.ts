export interface KeyedBatcherOptions<I, O> {
  /** Batches run at once per key; callers arriving meanwhile gather into the next batch. */
  inFlight: number;
  /** The most items one batch takes. */
  maxBatch: number;
  /** How long an item may wait for a batch before its caller gets `timeoutError()`. */
  maxWaitMs: number;
  timeoutError: () => Error;
  /** Runs one batch: one result per item, in the items' order. A throw fails every item. */
  run: (key: string, items: I[]) => Promise<O[]>;
}

interface Waiting<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

interface Queue<I, O> {
  running: number;
  waiting: Waiting<I, O>[];
}

/**
 * Gathers concurrent work for one key into batches, in arrival order. Registrations for a session
 * all queue for its row lock; run as one statement per batch, a rush takes the lock (and commits)
 * once per batch instead of once per person. Alone, an item runs at once as a batch of one; with
 * `maxBatch` 1 this is a per-key semaphore with a bounded wait.
 */
export class KeyedBatcher<I, O> {
  private readonly queues = new Map<string, Queue<I, O>>();

  constructor(private readonly options: KeyedBatcherOptions<I, O>) {}

  submit(key: string, item: I): Promise<O> {
    let queue = this.queues.get(key);
    if (!queue) this.queues.set(key, (queue = { running: 0, waiting: [] }));
    const waiting = queue.waiting;
    const result = new Promise<O>((resolve, reject) => {
      const entry: Waiting<I, O> = {
        item,
        resolve,
        reject,
        timer: setTimeout(() => {
          waiting.splice(waiting.indexOf(entry), 1);
          reject(this.options.timeoutError());
        }, this.options.maxWaitMs),
      };
      waiting.push(entry);
    });
    this.pump(key, queue);
    return result;
  }

  /** Batches running and items waiting, per key (for tests and diagnostics). */
  state(key: string): { running: number; waiting: number } {
    const queue = this.queues.get(key);
    return { running: queue?.running ?? 0, waiting: queue?.waiting.length ?? 0 };
  }

  private pump(key: string, queue: Queue<I, O>): void {
    while (queue.running < this.options.inFlight && queue.waiting.length > 0) {
      const batch = queue.waiting.splice(0, this.options.maxBatch);
      for (const entry of batch) clearTimeout(entry.timer);
      queue.running++;
      void this.runBatch(key, batch).finally(() => {
        queue.running--;
        if (queue.running === 0 && queue.waiting.length === 0) this.queues.delete(key);
        else this.pump(key, queue);
      });
    }
  }

  private async runBatch(key: string, batch: Waiting<I, O>[]): Promise<void> {
    try {
      const results = await this.options.run(
        key,
        batch.map((entry) => entry.item),
      );
      if (results.length !== batch.length) throw new Error(`A batch of ${batch.length} gave ${results.length} results`);
      batch.forEach((entry, i) => entry.resolve(results[i]));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
