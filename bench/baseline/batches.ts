/**
 * The service's batching, written plainly: per key, up to `inFlight` batches at once of up to
 * `max` items; items arriving meanwhile wait for the next. `run` gives one result per item.
 */
export function batcher<I, O>(
  run: (key: string, items: I[]) => Promise<O[]>,
  inFlight = 2,
  max = 64,
): (key: string, item: I) => Promise<O> {
  const queues = new Map<string, { running: number; waiting: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] }>();
  return (key, item) => {
    let queue = queues.get(key);
    if (!queue) queues.set(key, (queue = { running: 0, waiting: [] }));
    const q = queue;
    const result = new Promise<O>((resolve, reject) => q.waiting.push({ item, resolve, reject }));
    const pump = (): void => {
      while (q.running < inFlight && q.waiting.length > 0) {
        const batch = q.waiting.splice(0, max);
        q.running++;
        run(
          key,
          batch.map((b) => b.item),
        )
          .then(
            (results) => batch.forEach((b, i) => b.resolve(results[i])),
            (err: unknown) => batch.forEach((b) => b.reject(err)),
          )
          .finally(() => {
            q.running--;
            if (q.running === 0 && q.waiting.length === 0) queues.delete(key);
            else pump();
          });
      }
    };
    pump();
    return result;
  };
}
